import { describe, expect, it } from 'vitest';
import { chooseDisplay, displayWindowOptions } from './display-window';

const primary = { id: 10 };
const side = { id: 20 };
const third = { id: 30 };

describe('customer display window (Electron)', () => {
  it('screen 0 is the primary, 1 the first other monitor, whatever order the OS lists them in', () => {
    expect(chooseDisplay([side, primary, third], primary, 0)).toBe(primary);
    expect(chooseDisplay([side, primary, third], primary, 1)).toBe(side);
    expect(chooseDisplay([side, primary, third], primary, 2)).toBe(third);
  });
  it('a number past the last monitor takes the last one; one monitor only: the primary', () => {
    expect(chooseDisplay([primary, side], primary, 7)).toBe(side);
    expect(chooseDisplay([primary], primary, 1)).toBe(primary);
  });
  it('keeps the hardened web preferences, its own preload, no DevTools, never takes the focus', () => {
    const o = displayWindowOptions('/p/display.cjs', { x: 1920, y: 0, width: 800, height: 600 }, true);
    expect(o.webPreferences).toMatchObject({ preload: '/p/display.cjs', contextIsolation: true, sandbox: true, nodeIntegration: false, devTools: false });
    expect(o).toMatchObject({ x: 1920, y: 0, fullscreen: true, focusable: false });
  });
});
