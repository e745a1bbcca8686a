// KeyboardEvent.code → character, as a keyboard-wedge scanner means it. HID scanners type physical
// keys of a US keyboard, so decoding the physical key (`code`) instead of `key` makes the result
// independent of the OS layout: with Russian ЙЦУКЕН active, KeyQ still means 'q', not 'й'.
// Pure and DOM-free.

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const DIGIT_SHIFTED = ')!@#$%^&*(';

/** Unshifted / shifted characters of the US layout's punctuation keys. */
const PUNCTUATION: Readonly<Record<string, readonly [string, string]>> = {
  Minus: ['-', '_'], Equal: ['=', '+'], BracketLeft: ['[', '{'], BracketRight: [']', '}'], Backslash: ['\\', '|'],
  Semicolon: [';', ':'], Quote: ["'", '"'], Backquote: ['`', '~'], Comma: [',', '<'], Period: ['.', '>'], Slash: ['/', '?'],
  IntlBackslash: ['\\', '|'], Space: [' ', ' '],
};

const NUMPAD: Readonly<Record<string, string>> = {
  NumpadDivide: '/', NumpadMultiply: '*', NumpadSubtract: '-', NumpadAdd: '+', NumpadDecimal: '.', NumpadComma: ',', NumpadEqual: '=',
};

/** Ctrl+key → ASCII control character (how wedge scanners type GS and friends). */
const CONTROL: Readonly<Record<string, string>> = {
  BracketLeft: '\u001b', Backslash: '\u001c', BracketRight: '\u001d', Digit6: '\u001e', Minus: '\u001f',
};

export interface KeyState {
  code: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey?: boolean;
  /** getModifierState('CapsLock') */
  capsLock?: boolean;
}

export const MODIFIER_CODES: ReadonlySet<string> = new Set([
  'ShiftLeft', 'ShiftRight', 'ControlLeft', 'ControlRight', 'AltLeft', 'AltRight', 'MetaLeft', 'MetaRight', 'CapsLock', 'NumLock', 'Fn',
]);

/** The character a key press stands for, or null when it is not a character (F-keys, arrows, Ctrl+C…). */
export function charForCode(key: KeyState): string | null {
  const { code } = key;
  if (key.metaKey) return null;
  if (key.ctrlKey && !key.altKey) return CONTROL[code] ?? null;
  if (key.altKey) return null; // Alt+numpad codes are assembled by the detector
  if (code.startsWith('Key') && code.length === 4) {
    const letter = code.charAt(3).toLowerCase();
    if (!LETTERS.includes(letter)) return null;
    const upper = key.shiftKey !== Boolean(key.capsLock);
    return upper ? letter.toUpperCase() : letter;
  }
  if (code.startsWith('Digit') && code.length === 6) {
    const digit = code.charAt(5);
    if (digit < '0' || digit > '9') return null;
    return key.shiftKey ? DIGIT_SHIFTED.charAt(Number(digit)) : digit;
  }
  if (code.startsWith('Numpad') && code.length === 7) {
    const digit = code.charAt(6);
    if (digit >= '0' && digit <= '9') return digit;
  }
  const numpad = NUMPAD[code];
  if (numpad) return numpad;
  const punctuation = PUNCTUATION[code];
  if (punctuation) return key.shiftKey ? punctuation[1] : punctuation[0];
  return null;
}

/** The inverse, for tests and simulators: the key strokes a US-layout wedge sends for a character. */
export function keysForChar(ch: string): KeyState | null {
  const base = { shiftKey: false, ctrlKey: false, altKey: false };
  const lower = ch.toLowerCase();
  if (LETTERS.includes(lower) && lower.length === 1) return { ...base, code: `Key${lower.toUpperCase()}`, shiftKey: ch !== lower };
  if (ch >= '0' && ch <= '9' && ch.length === 1) return { ...base, code: `Digit${ch}` };
  const shiftedDigit = DIGIT_SHIFTED.indexOf(ch);
  if (shiftedDigit >= 0 && ch.length === 1) return { ...base, code: `Digit${shiftedDigit}`, shiftKey: true };
  for (const [code, [plain, shifted]] of Object.entries(PUNCTUATION)) {
    if (code === 'IntlBackslash') continue;
    if (ch === plain) return { ...base, code };
    if (ch === shifted) return { ...base, code, shiftKey: true };
  }
  for (const [code, control] of Object.entries(CONTROL)) if (ch === control) return { ...base, code, ctrlKey: true };
  return null;
}
