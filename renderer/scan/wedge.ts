// Keyboard-wedge (HID) scanner detector (docs/scanning.md "Keyboard wedge"). Pure and
// DOM-free: the UI feeds it every keydown/keyup from one capture-phase listener and acts on the decision.
//
// A scan is a burst of ≥ minLength character keys, each ≤ the gap limit after the previous one, ≤ maxScanMs
// in all, ended by the terminator (Enter/Tab) or by silence. The gap limit starts at maxInterKeyMs and is
// calibrated from accepted scans (1.5 × their slowest gap, capped at maxCalibratedGapMs); once a burst
// has pauseAfterChars fast keys, a pause up to pauseMs (wireless scanners send in packets) does not split
// it. Human typing (gaps ≫ 80 ms) and short key-mashing never qualify.
//
// Focus rule: a scan must leave no character in any field, whatever the layout. The first key of a
// burst cannot be told from typing, so it reaches the field; from the second fast key on, keys are
// held back (preventDefault) and their layout characters kept. When the burst turns out to be typing
// (a slow key, a non-character key, its deadline passes) the held characters are handed back
// (`release`) for the UI to insert where they would have gone; when it is a scan, the UI restores the
// field to what it held before the burst's first key (`burstStart` tells it when to take that copy).
//
// Decoding uses KeyboardEvent.code (physical keys of the US layout every HID scanner emulates), so a
// Russian layout cannot corrupt the code, and by default Shift alone decides letter case (the scanner
// presses Shift for capitals whatever Caps Lock says). GS (0x1D) arrives as Ctrl+], as Alt+0029 on the
// numpad, or as a configured key (gsKeyCode, e.g. 'F8'), and survives as '\u001d'.
import { wedgeConfigSchema, type WedgeConfig } from '../../main/contract/scan';
import { charForCode, MODIFIER_CODES, type KeyState } from './keymap';

export type { WedgeConfig } from '../../main/contract/scan';

export interface WedgeKeyEvent extends KeyState {
  type: 'keydown' | 'keyup';
  /** KeyboardEvent.key: what the OS layout made of the key (handed back if the burst was typing). */
  key?: string;
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
  /**
   * The burst may be part of a scan: it began within 1 s after another fast burst broke off, or it
   * ended by silence while a terminator is configured. A rejection then means "scan again", never
   * "not the store's card".
   */
  suspect: boolean;
}

export interface WedgeDecision {
  /** Call event.preventDefault() (a held key of a burst, or the terminator of a completed scan). */
  preventDefault: boolean;
  /** This key is the first of a new burst: copy the focused field's value now (before the key lands). */
  burstStart?: boolean;
  /** Held characters of a burst that was typing after all: insert them where the caret is, before this key. */
  release?: string;
  scan?: WedgeScan;
}

const DEFAULTS: WedgeConfig = wedgeConfigSchema.parse({});

const TERMINATOR_CODES: Readonly<Record<'Enter' | 'Tab', readonly string[]>> = { Enter: ['Enter', 'NumpadEnter'], Tab: ['Tab'] };

/** Pauses one burst may contain (a wireless scanner's packets); more is someone typing. */
const MAX_PAUSES = 2;

/** A burst starting this soon after a fast burst broke off may be that scan's second half. */
const SPLIT_WINDOW_MS = 1_000;

/** How many accepted scans calibration remembers. */
const CALIBRATION_SCANS = 8;

export class WedgeDetector {
  private config: WedgeConfig;
  private chars: string[] = [];
  private times: number[] = [];
  /** Layout characters of keys held back (prevented) in the current burst. */
  private held: string[] = [];
  private inEditable = false;
  /** The current burst continued across a pause (or began right after a broken one). */
  private suspect = false;
  /** Pauses (gap limit < gap ≤ pauseMs) inside the current burst. */
  private pauses = 0;
  /** Alt+numpad code being typed (e.g. Alt held, 0 0 2 9). */
  private altDigits: string | null = null;
  /** End of the last fast burst that broke off without becoming a scan. */
  private brokenAt: number | null = null;
  /** Slowest key gaps of the last accepted scans (calibration). */
  private observedGaps: number[] = [];

  constructor(config: Partial<WedgeConfig> = {}) {
    this.config = { ...DEFAULTS, ...config };
  }

  /** Hot-reloaded settings; drops a half-read burst and the calibration. */
  configure(config: Partial<WedgeConfig>): void {
    this.config = { ...DEFAULTS, ...config };
    this.observedGaps = [];
    this.reset();
  }

  reset(): void {
    this.chars = [];
    this.times = [];
    this.held = [];
    this.inEditable = false;
    this.suspect = false;
    this.pauses = 0;
    this.altDigits = null;
  }

  /** Current gap limit between two keys of a scan (configured, widened by calibration). */
  gapLimitMs(): number {
    const observed = Math.max(0, ...this.observedGaps);
    const calibrated = Math.min(this.config.maxCalibratedGapMs, Math.ceil(observed * 1.5));
    return Math.max(this.config.maxInterKeyMs, calibrated);
  }

  /** The core accepted this scan: let its timing widen the gap limit (slow wireless scanners). */
  learn(scan: Pick<WedgeScan, 'maxGapMs' | 'suspect'>): void {
    if (scan.suspect) return; // a pause inside the burst is not the scanner's pace
    this.observedGaps = [...this.observedGaps, scan.maxGapMs].slice(-CALIBRATION_SCANS);
  }

  /** When the UI should call tick() next (ms, same clock as timeStamp), or null if nothing is pending. */
  nextDeadline(): number | null {
    const last = this.times[this.times.length - 1];
    if (last === undefined) return null;
    if (this.chars.length >= this.config.minLength) return last + this.idleEndMs();
    if (this.held.length > 0) return last + this.gapLimitMs();
    return last + this.config.pauseMs;
  }

  /**
   * Silence: completes a burst long enough to be a scan, or hands back held characters of a short one
   * (kept as a burst while a pause may still join it).
   */
  tick(now: number): WedgeDecision {
    const last = this.times[this.times.length - 1];
    if (last === undefined) return { preventDefault: false };
    const silent = now - last;
    if (this.chars.length >= this.config.minLength) {
      if (silent < this.idleEndMs()) return { preventDefault: false };
      const scan = this.complete('idle');
      const release = scan ? undefined : this.heldText();
      this.breakBurst(last);
      return { preventDefault: false, ...(scan ? { scan } : {}), ...(release ? { release } : {}) };
    }
    if (silent < this.gapLimitMs()) return { preventDefault: false };
    // Held keys go back to the field now, but the burst stays (dormant) until pauseMs: keys the OS stamped
    // in time may still be queued behind a busy renderer, and they continue it by their own timestamps
    // (the field is then restored from the copy taken before the burst's first key).
    const release = this.heldText();
    this.held = [];
    if (silent >= this.config.pauseMs) this.breakBurst(last);
    return { preventDefault: false, ...(release ? { release } : {}) };
  }

  feed(event: WedgeKeyEvent): WedgeDecision {
    if (!this.config.enabled) return { preventDefault: false };
    const t = event.timeStamp;
    if (event.type === 'keyup') {
      if ((event.code === 'AltLeft' || event.code === 'AltRight') && this.altDigits !== null) {
        const digits = this.altDigits;
        this.altDigits = null;
        const value = Number.parseInt(digits, 10);
        if (digits.length > 0 && value > 0 && value < 128) return this.push(String.fromCharCode(value), t, event.editable, undefined);
        return this.abandon();
      }
      return { preventDefault: false };
    }
    if (event.repeat) return this.abandon();
    if (MODIFIER_CODES.has(event.code)) {
      if (event.code === 'AltLeft' || event.code === 'AltRight') this.altDigits = '';
      return { preventDefault: false };
    }
    if (this.altDigits !== null && event.altKey && /^Numpad[0-9]$/.test(event.code)) {
      this.altDigits += event.code.charAt(6);
      return { preventDefault: false };
    }
    const terminator = this.config.terminator === 'none' ? undefined : TERMINATOR_CODES[this.config.terminator];
    if (terminator?.includes(event.code) && !event.ctrlKey && !event.altKey && !event.metaKey) {
      const last = this.times[this.times.length - 1];
      const fast = last !== undefined && t - last <= this.gapLimitMs();
      const scan = fast ? this.complete('terminator', t) : null;
      if (scan) {
        this.reset();
        this.brokenAt = null;
        return { preventDefault: true, scan };
      }
      return this.abandon();
    }
    if (this.config.gsKeyCode !== undefined && event.code === this.config.gsKeyCode) {
      return this.push('\u001d', t, event.editable, undefined, true);
    }
    const ch = charForCode(this.config.capsLock === 'apply' ? event : { ...event, capsLock: false });
    if (ch === null) return this.abandon(); // Ctrl+C, arrows, F-keys, Backspace…: not part of any scan
    return this.push(ch, t, event.editable, event.key);
  }

  private idleEndMs(): number {
    const idle = this.config.terminator === 'none' ? this.config.idleTimeoutMs : Math.max(this.config.idleTimeoutMs, this.config.pauseMs);
    return Math.max(idle, this.gapLimitMs() + 1);
  }

  private heldText(): string {
    return this.held.join('');
  }

  /** The burst ended without a scan: remember it (a scan right after it may be its other half). */
  private breakBurst(last: number): void {
    const fast = this.chars.length >= 2;
    this.reset();
    if (fast) this.brokenAt = last;
  }

  /** A key that is not part of a scan: the burst was typing; hand back what was held. */
  private abandon(): WedgeDecision {
    const release = this.heldText();
    const last = this.times[this.times.length - 1];
    if (last !== undefined) this.breakBurst(last);
    else this.reset();
    return { preventDefault: false, ...(release ? { release } : {}) };
  }

  private push(ch: string, t: number, editable: boolean, key: string | undefined, control = false): WedgeDecision {
    const last = this.times[this.times.length - 1];
    const first = this.times[0];
    let release = '';
    if (last !== undefined) {
      const gap = t - last;
      const tooLong = first !== undefined && t - first > this.config.maxScanMs;
      const pause = gap > this.gapLimitMs() && gap <= this.config.pauseMs && this.chars.length >= this.config.pauseAfterChars && this.pauses < MAX_PAUSES;
      if (tooLong || (gap > this.gapLimitMs() && !pause)) {
        // too slow: whatever came before was typing; this key may start a scan
        release = this.heldText();
        this.breakBurst(last);
      } else if (pause) {
        this.suspect = true;
        this.pauses += 1;
      }
    }
    const starts = this.times.length === 0;
    if (starts) this.suspect = this.brokenAt !== null && t - this.brokenAt <= SPLIT_WINDOW_MS;
    this.chars.push(ch);
    this.times.push(t);
    this.inEditable ||= editable;
    // The first key of a burst reaches the field (it may be typing); later ones are held back.
    const hold = !starts;
    if (hold && !control && key !== undefined && key.length === 1) this.held.push(key);
    return { preventDefault: hold, ...(starts ? { burstStart: true } : {}), ...(release ? { release } : {}) };
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
      suspect: this.suspect || (endedBy === 'idle' && this.config.terminator !== 'none'),
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
