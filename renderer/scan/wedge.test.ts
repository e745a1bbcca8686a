import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { charForCode, keysForChar } from './keymap';
import { removeScanFromValue, WedgeDetector, type WedgeKeyEvent, type WedgeScan } from './wedge';

const GS = '\u001d';

/** Key events a US-layout HID scanner sends for `text`, with the given gaps; `layoutKey` fakes the OS layout's `key`. */
function strokes(text: string, gapMs: number | ((i: number) => number), options: { start?: number; editable?: boolean; terminator?: string | null; layoutKey?: (code: string) => string } = {}): WedgeKeyEvent[] {
  let t = options.start ?? 1_000;
  const events: WedgeKeyEvent[] = [];
  const gap = typeof gapMs === 'number' ? () => gapMs : gapMs;
  [...text].forEach((ch, i) => {
    const k = keysForChar(ch);
    if (!k) throw new Error(`no key for ${JSON.stringify(ch)}`);
    if (i > 0) t += gap(i);
    if (k.shiftKey) events.push({ type: 'keydown', code: 'ShiftLeft', shiftKey: true, ctrlKey: false, altKey: false, timeStamp: t, editable: options.editable ?? false });
    events.push({ ...k, type: 'keydown', key: options.layoutKey?.(k.code) ?? ch, timeStamp: t, editable: options.editable ?? false } as WedgeKeyEvent);
  });
  if (options.terminator !== null) {
    t += gap(text.length);
    events.push({ type: 'keydown', code: options.terminator ?? 'Enter', shiftKey: false, ctrlKey: false, altKey: false, timeStamp: t, editable: options.editable ?? false });
  }
  return events;
}

function run(detector: WedgeDetector, events: WedgeKeyEvent[]): { scans: WedgeScan[]; prevented: string[] } {
  const scans: WedgeScan[] = [];
  const prevented: string[] = [];
  for (const e of events) {
    const d = detector.feed(e);
    if (d.preventDefault) prevented.push(e.code);
    if (d.scan) scans.push(d.scan);
  }
  return { scans, prevented };
}

const CODE = 'KP1234567890123OK0001987';

describe('WedgeDetector', () => {
  it('detects a scanner burst (~20 ms per key) ended by Enter and prevents only the Enter', () => {
    const { scans, prevented } = run(new WedgeDetector(), strokes(CODE, 20));
    expect(scans).toHaveLength(1);
    expect(scans[0]).toMatchObject({ code: CODE, chars: 24, endedBy: 'terminator', inEditable: false });
    expect(prevented).toEqual(['Enter']);
  });

  it('ignores human typing (gaps ≥ 80 ms), even with Enter', () => {
    const { scans, prevented } = run(new WedgeDetector(), strokes('1234567890', 120));
    expect(scans).toEqual([]);
    expect(prevented).toEqual([]);
  });

  it('ignores short fast bursts (key-mashing) below minLength', () => {
    expect(run(new WedgeDetector(), strokes('asdf', 10)).scans).toEqual([]);
  });

  it('recovers a scan that starts right after human typing', () => {
    const typed = strokes('12', 200, { terminator: null });
    const scanned = strokes(CODE, 15, { start: (typed[typed.length - 1]?.timeStamp ?? 0) + 300 });
    expect(run(new WedgeDetector(), [...typed, ...scanned]).scans.map((s) => s.code)).toEqual([CODE]);
  });

  it('breaks a burst on one slow gap and honours maxScanMs', () => {
    const slowMiddle = strokes(CODE, (i) => (i === 12 ? 300 : 20));
    expect(run(new WedgeDetector(), slowMiddle).scans.map((s) => s.code)).toEqual([CODE.slice(12)]);
    expect(run(new WedgeDetector({ maxScanMs: 200 }), strokes(CODE, 20)).scans).toEqual([]);
  });

  it('decodes by physical key: a Russian layout does not corrupt the code', () => {
    const ru: Record<string, string> = { KeyK: 'л', KeyP: 'з', KeyO: 'щ', KeyQ: 'й' };
    const { scans } = run(new WedgeDetector(), strokes(CODE, 20, { layoutKey: (code) => ru[code] ?? '?' }));
    expect(scans[0]?.code).toBe(CODE);
  });

  it('keeps GS from Ctrl+], from Alt+0029 and from a configured key', () => {
    const withGs = `KP1234567890123${GS}ABCDEFGHIJKLMNOPQRSTUVWXYZ012345${GS}123`;
    expect(run(new WedgeDetector(), strokes(withGs, 10)).scans[0]?.code).toBe(withGs);

    // Alt held, numpad 0 0 2 9, Alt released
    const alt = (t: number): WedgeKeyEvent[] => [
      { type: 'keydown', code: 'AltLeft', shiftKey: false, ctrlKey: false, altKey: true, timeStamp: t, editable: false },
      ...['0', '0', '2', '9'].map((d, i): WedgeKeyEvent => ({ type: 'keydown', code: `Numpad${d}`, shiftKey: false, ctrlKey: false, altKey: true, timeStamp: t + 1 + i, editable: false })),
      { type: 'keyup', code: 'AltLeft', shiftKey: false, ctrlKey: false, altKey: false, timeStamp: t + 6, editable: false },
    ];
    const a = strokes('KP1234567890123', 10, { terminator: null });
    const end = a[a.length - 1]?.timeStamp ?? 0;
    const b = strokes('ABC123', 10, { start: end + 20 });
    expect(run(new WedgeDetector(), [...a, ...alt(end + 5), ...b]).scans[0]?.code).toBe(`KP1234567890123${GS}ABC123`);

    const f8 = (t: number): WedgeKeyEvent => ({ type: 'keydown', code: 'F8', shiftKey: false, ctrlKey: false, altKey: false, timeStamp: t, editable: false });
    expect(run(new WedgeDetector({ gsKeyCode: 'F8' }), [...a, f8(end + 10), ...b]).scans[0]?.code).toBe(`KP1234567890123${GS}ABC123`);
  });

  it('ends a scan without terminator on idle (tick), and with Tab when configured', () => {
    const detector = new WedgeDetector({ terminator: 'none', idleTimeoutMs: 100 });
    const events = strokes(CODE, 20, { terminator: null });
    expect(run(detector, events).scans).toEqual([]);
    const deadline = detector.nextDeadline();
    expect(deadline).toBe((events[events.length - 1]?.timeStamp ?? 0) + 100);
    expect(detector.tick((deadline ?? 0) - 1)).toBeNull();
    expect(detector.tick(deadline ?? 0)).toMatchObject({ code: CODE, endedBy: 'idle' });
    expect(detector.nextDeadline()).toBeNull();

    const tab = run(new WedgeDetector({ terminator: 'Tab' }), strokes(CODE, 20, { terminator: 'Tab' }));
    expect(tab).toMatchObject({ scans: [{ code: CODE }], prevented: ['Tab'] });
  });

  it('never steals keys from a focused input; reports the burst so the field can be cleaned', () => {
    const { scans, prevented } = run(new WedgeDetector(), strokes(CODE, 20, { editable: true }));
    expect(prevented).toEqual(['Enter']);
    expect(scans[0]).toMatchObject({ code: CODE, inEditable: true });
    expect(removeScanFromValue(`qty 2${CODE}`, scans[0] ?? { code: '' })).toBe('qty 2');
    expect(removeScanFromValue('unrelated', { code: CODE })).toBe('unrelated');
    expect(removeScanFromValue(`ab${CODE}cd`, { code: CODE }, 2 + CODE.length)).toBe('abcd');
  });

  it('ignores auto-repeat and resets on non-character keys', () => {
    const events = strokes(CODE, 20);
    const broken = [...events.slice(0, 10), { type: 'keydown', code: 'ArrowLeft', shiftKey: false, ctrlKey: false, altKey: false, timeStamp: (events[9]?.timeStamp ?? 0) + 5, editable: false } as WedgeKeyEvent, ...events.slice(10)];
    // events: Shift K Shift P 1 2 3 4 5 6 | ArrowLeft | 7 8 9 …
    expect(run(new WedgeDetector(), broken).scans.map((s) => s.code)).toEqual([CODE.slice(8)]);
    const repeat = events.map((e, i) => (i === 5 ? { ...e, repeat: true } : e));
    // event 5 is the '2': a repeat drops 'KP1' and itself
    expect(run(new WedgeDetector(), repeat).scans.map((s) => s.code)).toEqual([CODE.slice(4)]);
    expect(run(new WedgeDetector({ enabled: false }), events).scans).toEqual([]);
  });

  it('property: scanner-speed bursts of any printable code are read exactly; human-speed typing never', () => {
    const printable = fc.stringMatching(/^[A-Za-z0-9!@#$%^&*()\-_=+[\]{};:'",.<>/?\\|`~]{6,60}$/);
    fc.assert(fc.property(printable, fc.integer({ min: 1, max: 50 }), fc.boolean(), (text, gap, caps) => {
      const events = strokes(text, gap).map((e) => ({ ...e, capsLock: false }));
      expect(run(new WedgeDetector(), events).scans.map((s) => s.code)).toEqual([text]);
      // CapsLock on: letters flip — the till must know the scanner sends Shift itself (documented)
      if (caps) expect(run(new WedgeDetector(), events.map((e) => ({ ...e, capsLock: true }))).scans).toHaveLength(1);
    }), { numRuns: 300 });
    fc.assert(fc.property(printable, fc.integer({ min: 51, max: 400 }), (text, gap) => {
      expect(run(new WedgeDetector(), strokes(text, gap)).scans).toEqual([]);
    }), { numRuns: 300 });
  });
});

describe('keymap', () => {
  it('maps codes layout-independently and round-trips keysForChar', () => {
    expect(charForCode({ code: 'KeyQ', shiftKey: false, ctrlKey: false, altKey: false })).toBe('q');
    expect(charForCode({ code: 'KeyQ', shiftKey: true, ctrlKey: false, altKey: false })).toBe('Q');
    expect(charForCode({ code: 'KeyQ', shiftKey: false, ctrlKey: false, altKey: false, capsLock: true })).toBe('Q');
    expect(charForCode({ code: 'Digit2', shiftKey: true, ctrlKey: false, altKey: false })).toBe('@');
    expect(charForCode({ code: 'Numpad7', shiftKey: false, ctrlKey: false, altKey: false })).toBe('7');
    expect(charForCode({ code: 'KeyC', shiftKey: false, ctrlKey: true, altKey: false })).toBeNull();
    expect(charForCode({ code: 'BracketRight', shiftKey: false, ctrlKey: true, altKey: false })).toBe(GS);
    for (let c = 0x20; c < 0x7f; c += 1) {
      const ch = String.fromCharCode(c);
      const k = keysForChar(ch);
      expect(k && charForCode(k)).toBe(ch);
    }
  });
});
