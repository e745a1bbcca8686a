import { afterEach, describe, expect, it, vi } from 'vitest';
import { SuffixFramer, type Suffix } from './framer';

function framer(suffix: Suffix): { push: (s: string) => void; frames: string[]; fragments: string[]; f: SuffixFramer } {
  const frames: string[] = [];
  const fragments: string[] = [];
  const f = new SuffixFramer({ suffix, idleTimeoutMs: 50, fragmentTimeoutMs: 500 }, { frame: (x) => frames.push(x.text), fragment: (t) => fragments.push(t) });
  return { push: (s) => f.push(Buffer.from(s, 'latin1')), frames, fragments, f };
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

  it('LF: ignores CR, keeps GS', () => {
    const { push, frames } = framer('LF');
    push('A\u001dB\r\nC\n\n');
    expect(frames).toEqual(['A\u001dB', 'C']);
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

  it('drops a fragment whose suffix never came instead of gluing it to the next scan', () => {
    vi.useFakeTimers();
    const { push, frames, fragments } = framer('CR');
    push('KP123');
    vi.advanceTimersByTime(500);
    push('KP999\r');
    expect(fragments).toEqual(['KP123']);
    expect(frames).toEqual(['KP999']);
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
