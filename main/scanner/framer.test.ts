import { afterEach, describe, expect, it, vi } from 'vitest';
import { SuffixFramer, type FragmentReason, type Suffix } from './framer';

function framer(suffix: Suffix, extra: { maxFrameBytes?: number } = {}): { push: (s: string) => void; frames: string[]; fragments: string[]; reasons: FragmentReason[]; f: SuffixFramer } {
  const frames: string[] = [];
  const fragments: string[] = [];
  const reasons: FragmentReason[] = [];
  // Date.now is faked together with the timers, so the framer's clock follows vi.advanceTimersByTime.
  const f = new SuffixFramer({ suffix, idleTimeoutMs: 50, fragmentTimeoutMs: 500, gapMs: 100, now: () => Date.now(), ...extra }, {
    frame: (x) => frames.push(x.text),
    fragment: (t, r) => { fragments.push(t); reasons.push(r); },
  });
  return { push: (s) => f.push(Buffer.from(s, 'latin1')), frames, fragments, reasons, f };
}

afterEach(() => { vi.useRealTimers(); });

describe('SuffixFramer', () => {
  it('CR: splits two scans in one chunk, joins one scan over chunks', () => {
    const { push, frames } = framer('CR');
    push('AAA\rBB');
    push('B\rC');
    push('CC\r');
    expect(frames).toEqual(['AAA', 'BBB', 'CCC']);
  });

  it('CRLF: a CRLF split across chunks ends exactly one scan; stray LF is not data', () => {
    const { push, frames } = framer('CRLF');
    push('AAA\r');
    push('\nBBB\r\nCCC\r');
    push('\n');
    expect(frames).toEqual(['AAA', 'BBB', 'CCC']);
  });

  it('CR configured but the scanner sends CRLF: no empty or merged scans', () => {
    const { push, frames } = framer('CR');
    push('AAA\r\nBBB\r\n');
    expect(frames).toEqual(['AAA', 'BBB']);
  });

  it('LF: CRLF and doubled LF make no empty scans, keeps GS', () => {
    const { push, frames } = framer('LF');
    push('A\u001dB\r\nC\n\n');
    expect(frames).toEqual(['A\u001dB', 'C']);
  });

  it.each(['CR', 'LF', 'CRLF', 'TAB'] as const)('%s configured: CR, LF, CRLF, LFCR and Tab from the scanner all end exactly one scan', (suffix) => {
    const { push, frames, fragments } = framer(suffix);
    push('A1\rA2\nA3\r\nA4\n\rA5\tA6\t\r\n');
    push('A7\r');
    push('\nA8\n');
    expect(frames).toEqual(['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8']);
    expect(fragments).toEqual([]);
  });

  it('keeps every byte value (latin1)', () => {
    const { f, frames } = framer('CR');
    const bytes = Buffer.from([0x4b, 0x1d, 0x00, 0x7f, 0xff, 0x0d]);
    f.push(bytes);
    expect(Buffer.from(frames[0] ?? '', 'latin1')).toEqual(bytes.subarray(0, 5));
  });

  it('none: a scan ends after the idle timeout', () => {
    vi.useFakeTimers();
    const { push, frames } = framer('none');
    push('AB');
    vi.advanceTimersByTime(40);
    push('C');
    vi.advanceTimersByTime(49);
    expect(frames).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(frames).toEqual(['ABC']);
    push('D');
    vi.advanceTimersByTime(50);
    expect(frames).toEqual(['ABC', 'D']);
  });

  it('reports a scan whose suffix never came instead of gluing it to the next scan', () => {
    vi.useFakeTimers();
    const { push, frames, fragments, reasons } = framer('CR');
    push('KP123');
    vi.advanceTimersByTime(499);
    expect(fragments).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fragments).toEqual(['KP123']);
    expect(reasons).toEqual(['unterminated']);
    push('KP999\r');
    expect(frames).toEqual(['KP999']);
  });

  it('separates noise or half a scan from a scan that follows after a silence; joins a scan over short gaps', () => {
    vi.useFakeTimers();
    const { push, frames, fragments, reasons } = framer('CR');
    push('\u0000x');
    vi.advanceTimersByTime(200);
    push('KP1');
    vi.advanceTimersByTime(60);
    push('23\r');
    expect(fragments).toEqual(['\u0000x']);
    expect(reasons).toEqual(['gap']);
    expect(frames).toEqual(['KP123']);
  });

  it('keeps its buffer bounded: an endless stream without terminator is reported and skipped to the next terminator', () => {
    const { push, frames, fragments, reasons, f } = framer('CR', { maxFrameBytes: 64 });
    for (let i = 0; i < 100; i += 1) {
      push('0123456789'.repeat(10));
      expect(f.pending).toBeLessThanOrEqual(64);
    }
    push('tail\rKP1\r');
    expect(frames).toEqual(['KP1']);
    expect(reasons.every((r) => r === 'overflow')).toBe(true);
    expect(fragments.every((t) => t.length <= 64)).toBe(true);
    expect(fragments.length).toBeGreaterThan(0);
  });

  it('a stalled event loop is not silence: bytes waiting in the port still join their scan', () => {
    vi.useFakeTimers();
    const { push, frames, fragments } = framer('CR');
    push('KP12');
    // the loop is blocked for 8 s (the clock moves, no timer runs), then the overdue tick fires
    vi.setSystemTime(Date.now() + 8_000);
    vi.advanceTimersByTime(20);
    push('3\r');
    expect(fragments).toEqual([]);
    expect(frames).toEqual(['KP123']);
  });

  it('reset() drops a half scan (port lost)', () => {
    const { push, frames, fragments, f } = framer('CR');
    push('KP1');
    f.reset();
    push('KP2\r');
    expect(frames).toEqual(['KP2']);
    expect(fragments).toEqual(['KP1']);
  });
});
