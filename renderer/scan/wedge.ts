// Keyboard-wedge (HID) scanner detector (issue #3 §3; anchors A.4 item 1, D.2, E.6). Pure and DOM-free:
// the React side feeds it every keydown/keyup from one global listener and acts on the decision.
//
// A scan is a burst of ≥ minLength character keys, each ≤ maxInterKeyMs after the previous one,
// ≤ maxScanMs in all, ended by the terminator (Enter/Tab) or by idleTimeoutMs of silence (tick()).
// Human typing (gaps ≫ 50 ms) and short key-mashing never qualify.
//
// Focus rule: the detector never swallows character keys, so nothing is stolen from a focused input.
// Only the terminator that completes a scan is prevented (Enter must not submit a form, Tab must not
// move focus). When the burst was typed into an editable field, the scan says so (`inEditable`), and
// removeScanFromValue() gives the field's value without the scanned text.
//
// Decoding uses KeyboardEvent.code (physical keys of the US layout every HID scanner emulates), so
// a Russian layout cannot corrupt the code. GS (0x1D) arrives as Ctrl+], as Alt+0029 on the numpad,
// or as a configured key (gsKeyCode, e.g. 'F8'), and survives as '\u001d'.
import type { WedgeConfig } from '../../main/contract/scan';
import { charForCode, MODIFIER_CODES, type KeyState } from './keymap';

export type { WedgeConfig } from '../../main/contract/scan';

export interface WedgeKeyEvent extends KeyState {
  type: 'keydown' | 'keyup';
  /** KeyboardEvent.timeStamp (ms, monotonic). */
  timeStamp: number;
  /** The event's target is an input, textarea, select or contenteditable. */
  editable: boolean;
  /** KeyboardEvent.repeat (auto-repeat of a held key: never a scanner). */
  repeat?: boolean;
}

export interface WedgeScan {
  code: string;
  /** Key strokes in the burst (characters). */
  chars: number;
  durationMs: number;
  maxGapMs: number;
  meanGapMs: number;
  /** Some of the burst landed in a focused editable field. */
  inEditable: boolean;
  endedBy: 'terminator' | 'idle';
}

export interface WedgeDecision {
  /** Call event.preventDefault() (only ever the terminator of a completed scan). */
  preventDefault: boolean;
  scan?: WedgeScan;
}

const PASS: WedgeDecision = { preventDefault: false };

const DEFAULTS: WedgeConfig = { enabled: true, maxInterKeyMs: 50, minLength: 6, maxScanMs: 1_500, terminator: 'Enter', idleTimeoutMs: 100 };

const TERMINATOR_CODES: Readonly<Record<'Enter' | 'Tab', readonly string[]>> = { Enter: ['Enter', 'NumpadEnter'], Tab: ['Tab'] };

export class WedgeDetector {
  private config: WedgeConfig;
  private chars: string[] = [];
  private times: number[] = [];
  private inEditable = false;
  /** Alt+numpad code being typed (e.g. Alt held, 0 0 2 9). */
  private altDigits: string | null = null;

  constructor(config: Partial<WedgeConfig> = {}) {
    this.config = { ...DEFAULTS, ...config };
  }

  /** Hot-reloaded settings; drops a half-read burst. */
  configure(config: Partial<WedgeConfig>): void {
    this.config = { ...DEFAULTS, ...config };
    this.reset();
  }

  reset(): void {
    this.chars = [];
    this.times = [];
    this.inEditable = false;
    this.altDigits = null;
  }

  /** When the UI should call tick() next (ms, same clock as timeStamp), or null if nothing is pending. */
  nextDeadline(): number | null {
    const last = this.times[this.times.length - 1];
    return last === undefined || this.chars.length < this.config.minLength ? null : last + this.config.idleTimeoutMs;
  }

  /** Completes a burst that ended without a terminator once it has been idle for idleTimeoutMs. */
  tick(now: number): WedgeScan | null {
    const last = this.times[this.times.length - 1];
    if (last === undefined || now - last < this.config.idleTimeoutMs) return null;
    const scan = this.complete('idle');
    this.reset();
    return scan;
  }

  feed(event: WedgeKeyEvent): WedgeDecision {
    if (!this.config.enabled) return PASS;
    const t = event.timeStamp;
    if (event.type === 'keyup') {
      if ((event.code === 'AltLeft' || event.code === 'AltRight') && this.altDigits !== null) {
        const digits = this.altDigits;
        this.altDigits = null;
        const value = Number.parseInt(digits, 10);
        if (digits.length > 0 && value > 0 && value < 128) this.push(String.fromCharCode(value), t, event.editable);
        else this.reset();
      }
      return PASS;
    }
    if (event.repeat) {
      this.reset();
      return PASS;
    }
    if (MODIFIER_CODES.has(event.code)) {
      if (event.code === 'AltLeft' || event.code === 'AltRight') this.altDigits = '';
      return PASS;
    }
    if (this.altDigits !== null && event.altKey && /^Numpad[0-9]$/.test(event.code)) {
      this.altDigits += event.code.charAt(6);
      return PASS;
    }
    const terminator = this.config.terminator === 'none' ? undefined : TERMINATOR_CODES[this.config.terminator];
    if (terminator?.includes(event.code) && !event.ctrlKey && !event.altKey && !event.metaKey) {
      const fast = this.times.length > 0 && t - (this.times[this.times.length - 1] ?? t) <= this.config.maxInterKeyMs;
      const scan = fast ? this.complete('terminator', t) : null;
      this.reset();
      return scan ? { preventDefault: true, scan } : PASS;
    }
    if (this.config.gsKeyCode !== undefined && event.code === this.config.gsKeyCode) {
      this.push('\u001d', t, event.editable);
      return PASS;
    }
    const ch = charForCode(event);
    if (ch === null) {
      // Ctrl+C, arrows, F-keys…: not part of any scan
      this.reset();
      return PASS;
    }
    this.push(ch, t, event.editable);
    return PASS;
  }

  private push(ch: string, t: number, editable: boolean): void {
    const last = this.times[this.times.length - 1];
    const first = this.times[0];
    if (last !== undefined && (t - last > this.config.maxInterKeyMs || (first !== undefined && t - first > this.config.maxScanMs))) {
      // too slow: whatever came before was typing; this key may start a scan
      this.chars = [];
      this.times = [];
      this.inEditable = false;
    }
    this.chars.push(ch);
    this.times.push(t);
    this.inEditable ||= editable;
  }

  private complete(endedBy: WedgeScan['endedBy'], endAt?: number): WedgeScan | null {
    const { chars, times } = this;
    const first = times[0];
    const last = times[times.length - 1];
    if (first === undefined || last === undefined || chars.length < this.config.minLength) return null;
    const end = endAt ?? last;
    if (end - first > this.config.maxScanMs) return null;
    let maxGap = 0;
    for (let i = 1; i < times.length; i += 1) maxGap = Math.max(maxGap, (times[i] ?? 0) - (times[i - 1] ?? 0));
    return {
      code: chars.join(''), chars: chars.length, durationMs: end - first, maxGapMs: maxGap,
      meanGapMs: times.length > 1 ? (last - first) / (times.length - 1) : 0, inEditable: this.inEditable, endedBy,
    };
  }
}

/**
 * The value of an input the burst was typed into, without the scan (call after the scan completed).
 * The wedge typed the characters in order, so they sit as one run ending at the caret (or the end).
 */
export function removeScanFromValue(value: string, scan: Pick<WedgeScan, 'code'>, caret: number = value.length): string {
  // Control characters (GS) never reach an input's value.
  const typed = [...scan.code].filter((ch) => ch.charCodeAt(0) >= 0x20).join('');
  const before = value.slice(0, caret);
  return before.endsWith(typed) ? before.slice(0, before.length - typed.length) + value.slice(caret) : value;
}
