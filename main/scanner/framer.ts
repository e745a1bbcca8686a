// Splits a serial byte stream into scans by the configured suffix (CR, LF, CRLF) or by idle time
// ('none'). One scan in, one frame out: two scans in one read are split, one scan over many reads is
// joined, and a fragment whose suffix never comes is dropped (reported) rather than glued to the next.
// Bytes decode as latin1 so GS (0x1D) and every other byte survive one-to-one.

export type Suffix = 'CR' | 'LF' | 'CRLF' | 'none';

export interface FramerOptions {
  suffix: Suffix;
  idleTimeoutMs: number;
  fragmentTimeoutMs: number;
}

export interface Frame {
  text: string;
  /** performance.now() when the frame completed (suffix received / idle expired). */
  completedAt: number;
}

export interface FramerEvents {
  frame(frame: Frame): void;
  /** Bytes dropped because their suffix never arrived. */
  fragment?(text: string): void;
}

const CR = 0x0d;
const LF = 0x0a;

export class SuffixFramer {
  private buffer = '';
  private timer: NodeJS.Timeout | null = null;
  /** CRLF/CR modes: swallow one LF right after a CR that ended a frame (scanner sends CRLF, config says CR). */
  private lastWasCr = false;

  constructor(private readonly options: FramerOptions, private readonly events: FramerEvents) {}

  push(chunk: Buffer): void {
    const { suffix } = this.options;
    const text = chunk.toString('latin1');
    if (suffix === 'none') {
      this.buffer += text;
      this.arm(this.options.idleTimeoutMs, () => this.flush());
      return;
    }
    let start = 0;
    for (let i = 0; i < text.length; i += 1) {
      const code = text.charCodeAt(i);
      if (code !== CR && code !== LF) {
        this.lastWasCr = false;
        continue;
      }
      if (code === LF && this.lastWasCr) {
        // the LF of a CRLF whose CR already ended the frame
        this.lastWasCr = false;
        start = i + 1;
        continue;
      }
      const ends = suffix === 'LF' ? code === LF : code === CR;
      if (!ends) {
        // the other line-end character: not data, not a terminator here (e.g. LF in CR mode)
        this.buffer += text.slice(start, i);
        start = i + 1;
        continue;
      }
      this.buffer += text.slice(start, i);
      start = i + 1;
      this.lastWasCr = code === CR;
      this.emit();
    }
    this.buffer += text.slice(start);
    if (this.buffer.length > 0) this.arm(this.options.fragmentTimeoutMs, () => this.dropFragment());
    else this.disarm();
  }

  /** Drops whatever is buffered (port closed: a half scan must not survive a reconnect). */
  reset(): void {
    if (this.buffer.length > 0) this.events.fragment?.(this.buffer);
    this.buffer = '';
    this.lastWasCr = false;
    this.disarm();
  }

  private emit(): void {
    const text = this.buffer;
    this.buffer = '';
    this.disarm();
    if (text.length > 0) this.events.frame({ text, completedAt: performance.now() });
  }

  private flush(): void {
    this.timer = null;
    this.emit();
  }

  private dropFragment(): void {
    this.timer = null;
    const text = this.buffer;
    this.buffer = '';
    if (text.length > 0) this.events.fragment?.(text);
  }

  private arm(ms: number, run: () => void): void {
    this.disarm();
    this.timer = setTimeout(run, ms);
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
