// Splits a serial byte stream into scans (docs/scanning.md "Serial"). One scan in, one frame out: two scans in
// one read are split, one scan over many reads is joined, and bytes that cannot be a whole scan are
// handed to `fragment` (reported), never dropped silently and never glued to the next scan.
//
// - Suffix modes (CR, LF, CRLF, TAB): CR, LF and TAB all end a scan whatever the configured suffix
//   (a scanner sending LF or LFCR where the config says CR used to lose every scan); empty frames
//   between two terminator bytes are skipped, so CRLF / LFCR never make empty scans.
// - 'none': a scan ends after idleTimeoutMs of silence.
// - Bytes followed by gapMs of silence and then more bytes are noise or half a scan: reported as a
//   'gap' fragment; the new bytes start a fresh scan. Bytes whose terminator never comes are reported
//   as 'unterminated' after fragmentTimeoutMs. A frame over maxFrameBytes is reported as 'overflow' and
//   the rest of it, up to the next terminator, is skipped: the buffer is bounded.
// - Silence is counted by a watcher that only credits time while the event loop is awake: when the core
//   is stalled (a heavy task on its loop), the stall is not taken for silence, so the bytes that were
//   waiting in the port are still joined to their scan when the loop resumes.
// Bytes decode as latin1 so GS (0x1D) and every other byte survive one-to-one.

export type Suffix = 'CR' | 'LF' | 'CRLF' | 'TAB' | 'none';

export interface FramerOptions {
  suffix: Suffix;
  idleTimeoutMs: number;
  fragmentTimeoutMs: number;
  /** Silence inside a frame that separates what came before (noise, half a scan) from the next scan. */
  gapMs?: number;
  /** Longest frame kept (bytes). */
  maxFrameBytes?: number;
  /** Monotonic clock (ms); performance.now by default. */
  now?: () => number;
}

export interface Frame {
  text: string;
  /** now() when the frame completed (suffix received / idle expired). */
  completedAt: number;
}

export type FragmentReason = 'unterminated' | 'gap' | 'overflow' | 'reset';

export interface FramerEvents {
  frame(frame: Frame): void;
  /** Bytes that are not a whole scan (see FragmentReason). `text` is at most maxFrameBytes long. */
  fragment?(text: string, reason: FragmentReason): void;
}

export const DEFAULT_GAP_MS = 100;
export const DEFAULT_MAX_FRAME_BYTES = 4096;

const TERMINATORS = new Set([0x0d, 0x0a, 0x09]);

export class SuffixFramer {
  private buffer = '';
  /** Skipping the rest of an oversize frame until its terminator. */
  private skipping = false;
  private watch: NodeJS.Timeout | null = null;
  private lastTick = 0;
  /** Silence since the last byte, counting only time the loop was awake. */
  private quietMs = 0;
  private readonly gapMs: number;
  private readonly maxFrameBytes: number;
  private readonly now: () => number;
  private readonly tickMs: number;

  constructor(private readonly options: FramerOptions, private readonly events: FramerEvents) {
    this.gapMs = options.gapMs ?? DEFAULT_GAP_MS;
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.now = options.now ?? (() => performance.now());
    const shortest = options.suffix === 'none' ? options.idleTimeoutMs : Math.min(this.gapMs, options.fragmentTimeoutMs);
    this.tickMs = Math.max(2, Math.floor(shortest / 5));
  }

  push(chunk: Buffer): void {
    const text = chunk.toString('latin1');
    if (text.length === 0) return;
    if (this.options.suffix !== 'none' && this.buffer.length > 0 && this.quietMs >= this.gapMs) {
      this.dropFragment('gap');
    }
    this.quietMs = 0;
    this.lastTick = this.now();
    if (this.options.suffix === 'none') {
      this.append(text);
    } else {
      let start = 0;
      for (let i = 0; i < text.length; i += 1) {
        if (!TERMINATORS.has(text.charCodeAt(i))) continue;
        this.append(text.slice(start, i));
        start = i + 1;
        if (this.skipping) this.skipping = false;
        else this.emit();
      }
      this.append(text.slice(start));
    }
    if (this.buffer.length > 0) this.startWatch();
    else this.stopWatch();
  }

  /** Drops whatever is buffered (port closed: a half scan must not survive a reconnect). */
  reset(): void {
    if (this.buffer.length > 0) this.dropFragment('reset');
    this.skipping = false;
    this.stopWatch();
  }

  /** Bytes held right now (for tests: the buffer never exceeds maxFrameBytes). */
  get pending(): number {
    return this.buffer.length;
  }

  private append(text: string): void {
    if (text.length === 0 || this.skipping) return;
    this.buffer += text;
    if (this.buffer.length > this.maxFrameBytes) {
      this.dropFragment('overflow');
      // in 'none' mode the next silence ends the oversize frame; with a suffix, its terminator does
      this.skipping = this.options.suffix !== 'none';
    }
  }

  private emit(): void {
    const text = this.buffer;
    this.buffer = '';
    if (text.length > 0) this.events.frame({ text, completedAt: this.now() });
  }

  private dropFragment(reason: FragmentReason): void {
    const text = this.buffer.slice(0, this.maxFrameBytes);
    this.buffer = '';
    if (text.length > 0) this.events.fragment?.(text, reason);
  }

  private startWatch(): void {
    if (this.watch) return;
    this.lastTick = this.now();
    this.watch = setInterval(() => this.tick(), this.tickMs);
  }

  private stopWatch(): void {
    if (this.watch) clearInterval(this.watch);
    this.watch = null;
    this.quietMs = 0;
  }

  private tick(): void {
    const now = this.now();
    // A tick far later than scheduled means the loop was busy: that time is not the scanner's silence.
    this.quietMs += Math.min(now - this.lastTick, 1.5 * this.tickMs);
    this.lastTick = now;
    if (this.buffer.length === 0) {
      this.stopWatch();
      return;
    }
    if (this.options.suffix === 'none') {
      if (this.quietMs >= this.options.idleTimeoutMs) {
        this.emit();
        this.stopWatch();
      }
    } else if (this.quietMs >= this.options.fragmentTimeoutMs) {
      this.dropFragment('unterminated');
      this.stopWatch();
    }
  }
}
