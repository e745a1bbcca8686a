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

function run(detector: WedgeDetector, events: WedgeKeyEvent[]): { scans: WedgeScan[]; prevented: string[]; released: string[]; starts: number } {
  const scans: WedgeScan[] = [];
  const prevented: string[] = [];
  const released: string[] = [];
  let starts = 0;
  for (const e of events) {
    const d = detector.feed(e);
    if (d.preventDefault) prevented.push(e.code);
    if (d.burstStart) starts += 1;
    if (d.release) released.push(d.release);
    if (d.scan) scans.push(d.scan);
  }
  return { scans, prevented, released, starts };
}

/** What a key-by-key field sees: unprevented keys' layout characters, released text, restored on a scan. */
function fieldAfter(detector: WedgeDetector, initial: string, events: WedgeKeyEvent[], idleAt?: number): string {
  let value = initial;
  let snapshot = initial;
  const act = (d: ReturnType<WedgeDetector['feed']>): void => {
    if (d.release) value += d.release;
    if (d.scan) value = snapshot;
  };
  for (const e of events) {
    const d = detector.feed(e);
    if (d.burstStart) snapshot = value;
    act(d);
    if (!d.preventDefault && e.type === 'keydown' && e.key?.length === 1) value += e.key;
  }
  if (idleAt !== undefined) act(detector.tick(idleAt));
  return value;
}

const CODE = 'KP1234567890123OK0001987';
const RU: Record<string, string> = {
  KeyQ: 'й', KeyW: 'ц', KeyE: 'у', KeyR: 'к', KeyT: 'е', KeyY: 'н', KeyU: 'г', KeyI: 'ш', KeyO: 'щ', KeyP: 'з', KeyA: 'ф', KeyS: 'ы', KeyD: 'в',
  KeyF: 'а', KeyG: 'п', KeyH: 'р', KeyJ: 'о', KeyK: 'л', KeyL: 'д', KeyZ: 'я', KeyX: 'ч', KeyC: 'с', KeyV: 'м', KeyB: 'и', KeyN: 'т', KeyM: 'ь',
};
const ruKey = (code: string): string => RU[code] ?? code.replace(/^Digit/, '');
const lastT = (events: WedgeKeyEvent[]): number => events[events.length - 1]?.timeStamp ?? 0;

describe('WedgeDetector', () => {
  it('detects a scanner burst (~20 ms per key) ended by Enter; holds back every key after the first', () => {
    const { scans, prevented, starts } = run(new WedgeDetector(), strokes(CODE, 20));
    expect(scans).toHaveLength(1);
    expect(scans[0]).toMatchObject({ code: CODE, chars: 24, endedBy: 'terminator', inEditable: false, suspect: false });
    expect(starts).toBe(1);
    // character keys 2..24 and the Enter; Shift itself is never prevented
    expect(prevented).toHaveLength(24);
    expect(prevented[prevented.length - 1]).toBe('Enter');
    expect(prevented).not.toContain('ShiftLeft');
  });

  it('ignores human typing (gaps > 80 ms), even with Enter, and holds nothing back', () => {
    const { scans, prevented, released } = run(new WedgeDetector(), strokes('1234567890', 120));
    expect(scans).toEqual([]);
    expect(prevented).toEqual([]);
    expect(released).toEqual([]);
  });

  it('hands back held keys of a short fast burst (key rollover) in the layout the cashier uses', () => {
    const detector = new WedgeDetector();
    const events = strokes('KPQ', 10, { terminator: null, layoutKey: ruKey, editable: true });
    expect(fieldAfter(detector, '15', events, lastT(events) + 500)).toBe('15лзй');
    // and when the next key is slow, the held ones come back before it lands
    const typed = [...strokes('KP', 10, { terminator: null, layoutKey: ruKey }), ...strokes('Q', 0, { start: 1_200, terminator: null, layoutKey: ruKey })];
    expect(fieldAfter(new WedgeDetector(), '', typed)).toBe('лзй');
    // Enter after a short burst: not a scan, keys come back, Enter is not swallowed
    const entered = run(new WedgeDetector(), strokes('12', 10, { layoutKey: ruKey }));
    expect(entered).toMatchObject({ scans: [], released: ['2'] });
    expect(entered.prevented).toEqual(['Digit2']);
  });

  it('keys queued behind a busy renderer continue the burst by their own timestamps after a tick released the held ones', () => {
    const detector = new WedgeDetector();
    const events = strokes(CODE, 15, { editable: true, layoutKey: ruKey });
    let value = '150';
    let snapshot = value;
    const apply = (d: ReturnType<WedgeDetector['feed']>, e?: WedgeKeyEvent): void => {
      if (d.burstStart) snapshot = value;
      if (d.release) value += d.release;
      if (d.scan) value = snapshot;
      if (e && !d.preventDefault && e.type === 'keydown' && e.key?.length === 1) value += e.key;
    };
    const scans: WedgeScan[] = [];
    events.forEach((e, i) => {
      const d = detector.feed(e);
      if (d.burstStart) snapshot = value;
      apply({ ...d, burstStart: false }, e);
      if (d.scan) scans.push(d.scan);
      // the renderer was busy after the 3rd key: its timer fires (wall clock) before the queued keys are seen
      if (i === 4) apply(detector.tick(e.timeStamp + 200));
    });
    expect(scans.map((x) => x.code)).toEqual([CODE]);
    expect(value).toBe('150');
  });

  it('recovers a scan that starts right after human typing', () => {
    const typed = strokes('12', 200, { terminator: null });
    const scanned = strokes(CODE, 15, { start: lastT(typed) + 400 });
    expect(run(new WedgeDetector(), [...typed, ...scanned]).scans.map((s) => s.code)).toEqual([CODE]);
  });

  it('joins a burst across a scanner pause (wireless packets); a long stop splits it and the half is suspect', () => {
    const paused = run(new WedgeDetector(), strokes(CODE, (i) => (i === 12 ? 250 : 20)));
    expect(paused.scans.map((s) => [s.code, s.suspect])).toEqual([[CODE, true]]);
    const split = run(new WedgeDetector(), strokes(CODE, (i) => (i === 12 ? 310 : 20)));
    expect(split.scans.map((s) => [s.code, s.suspect])).toEqual([[CODE.slice(12), true]]);
    expect(run(new WedgeDetector({ maxScanMs: 200 }), strokes(CODE, 20)).scans).toEqual([]);
  });

  it('a field keeps exactly what the cashier typed when a scan lands in it, whatever the layout', () => {
    const typed = strokes('150', 150, { terminator: null, editable: true, layoutKey: ruKey });
    const scanned = strokes(CODE, (i) => 5 + ((i * 37) % 56), { start: lastT(typed) + 500, editable: true, layoutKey: ruKey });
    const detector = new WedgeDetector();
    expect(fieldAfter(detector, '', [...typed, ...scanned])).toBe('150');
  });

  it('decodes by physical key: a Russian layout does not corrupt the code', () => {
    const { scans } = run(new WedgeDetector(), strokes(CODE, 20, { layoutKey: ruKey }));
    expect(scans[0]?.code).toBe(CODE);
  });

  it('Caps Lock on: Shift decides the case (the scanner presses it for capitals); "apply" for compensating scanners', () => {
    const caps = strokes(CODE, 20).map((e) => ({ ...e, capsLock: true }));
    expect(run(new WedgeDetector(), caps).scans[0]?.code).toBe(CODE);
    expect(run(new WedgeDetector({ capsLock: 'apply' }), caps).scans[0]?.code).toBe(CODE.replace(/[A-Z]/g, (c) => c.toLowerCase()));
  });

  it('calibrates the gap limit from accepted scans, within maxCalibratedGapMs', () => {
    const detector = new WedgeDetector({ maxInterKeyMs: 50, pauseMs: 0 });
    expect(detector.gapLimitMs()).toBe(50);
    expect(run(detector, strokes(CODE, 70)).scans).toEqual([]);
    const first = run(detector, strokes(CODE, 45, { start: 10_000 })).scans[0];
    expect(first).toBeDefined();
    detector.learn(first as WedgeScan);
    expect(detector.gapLimitMs()).toBe(68);
    expect(run(detector, strokes(CODE, 65, { start: 20_000 })).scans.map((s) => s.code)).toEqual([CODE]);
    detector.learn({ maxGapMs: 1_000, suspect: false });
    expect(detector.gapLimitMs()).toBe(160);
    detector.learn({ maxGapMs: 5_000, suspect: true });
    expect(detector.gapLimitMs()).toBe(160);
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
    const end = lastT(a);
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
    expect(deadline).toBe(lastT(events) + 100);
    expect(detector.tick((deadline ?? 0) - 1).scan).toBeUndefined();
    expect(detector.tick(deadline ?? 0).scan).toMatchObject({ code: CODE, endedBy: 'idle', suspect: false });
    expect(detector.nextDeadline()).toBeNull();

    // Enter configured but never sent: the scan still completes after the pause window, flagged suspect
    const enter = new WedgeDetector();
    run(enter, events);
    expect(enter.tick(lastT(events) + 300).scan).toMatchObject({ code: CODE, endedBy: 'idle', suspect: true });

    const tab = run(new WedgeDetector({ terminator: 'Tab' }), strokes(CODE, 20, { terminator: 'Tab' }));
    expect(tab.scans.map((s) => s.code)).toEqual([CODE]);
    expect(tab.prevented[tab.prevented.length - 1]).toBe('Tab');
  });

  it('reports a burst in a focused input; removeScanFromValue still cleans a field it has no copy of', () => {
    const { scans } = run(new WedgeDetector(), strokes(CODE, 20, { editable: true }));
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

  it('property: uneven 5–60 ms bursts of any printable code are read exactly, with Caps Lock and any layout; the field is untouched', () => {
    const printable = fc.stringMatching(/^[A-Za-z0-9!@#$%^&*()\-_=+[\]{};:'",.<>/?\\|`~]{6,60}$/);
    fc.assert(fc.property(printable, fc.array(fc.integer({ min: 5, max: 60 }), { minLength: 61, maxLength: 61 }), fc.boolean(), fc.boolean(), (text, gaps, caps, ru) => {
      const events = strokes(text, (i) => gaps[i] ?? 20, { editable: true, ...(ru ? { layoutKey: ruKey } : {}) }).map((e) => ({ ...e, capsLock: caps }));
      const detector = new WedgeDetector();
      expect(run(detector, events).scans.map((s) => s.code)).toEqual([text]);
      expect(fieldAfter(new WedgeDetector(), 'typed', events)).toBe('typed');
    }), { numRuns: 300 });
  });

  it('property: human-speed typing (gaps > 80 ms) never becomes a scan and reaches the field key for key', () => {
    const printable = fc.stringMatching(/^[A-Za-z0-9]{6,40}$/);
    fc.assert(fc.property(printable, fc.array(fc.integer({ min: 81, max: 400 }), { minLength: 41, maxLength: 41 }), (text, gaps) => {
      const events = strokes(text, (i) => gaps[i] ?? 100, { editable: true });
      const { scans, prevented } = run(new WedgeDetector(), events);
      expect(scans).toEqual([]);
      expect(prevented).toEqual([]);
    }), { numRuns: 300 });
  });
});

describe('keymap', () => {
  it('maps codes layout-independently and round-trips keysForChar', () => {
    expect(charForCode({ code: 'KeyQ', shiftKey: false, ctrlKey: false, altKey: false })).toBe('q');
    expect(charForCode({ code: 'KeyQ', shiftKey: true, ctrlKey: false, altKey: false })).toBe('Q');
    expect(charForCode({ code: 'KeyQ', shiftKey: false, ctrlKey: false, altKey: false, capsLock: true })).toBe('Q'); // 'apply' mode
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
