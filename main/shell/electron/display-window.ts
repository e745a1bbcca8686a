// The customer display's window in the Electron shell: which monitor, and its options. Pure (only
// `import type` from electron) so it is unit-tested under plain Node (display-window.test.ts).
import type { BrowserWindowConstructorOptions, Rectangle } from 'electron';
import { createWindowOptions } from './security';

/**
 * The monitor for config customerDisplay.screen (0 = primary, then the others in the OS's order); a number past
 * the last one takes the last other monitor, and with one monitor only the primary (a window the IT person sees).
 */
export function chooseDisplay<T extends { id: number }>(all: readonly T[], primary: T, wanted: number): T {
  const ordered = [primary, ...all.filter((d) => d.id !== primary.id)];
  return ordered[Math.min(wanted, ordered.length - 1)] ?? primary;
}

/** The till window's hardened options with the display's own preload, full screen on its monitor, never focused. */
export function displayWindowOptions(preloadPath: string, bounds: Rectangle, fullscreen: boolean): BrowserWindowConstructorOptions {
  const base = createWindowOptions(preloadPath, false);
  return {
    ...base,
    x: bounds.x, y: bounds.y, width: bounds.width, height: bounds.height, minWidth: 320, minHeight: 240,
    fullscreen, focusable: false, title: 'Paydesk — экран покупателя', backgroundColor: '#ffffff',
    webPreferences: { ...base.webPreferences, devTools: false },
  };
}
