// Pure security policy of the Electron shell, unit-tested without the Electron binary
// (security.test.ts): window options, the IPC sender check, navigation and app:// path rules.
// Only `import type` from electron here, so tests under plain Node can load this file.
import type { BrowserWindowConstructorOptions } from 'electron';
import { resolveStaticPath } from '../static-files';

export const APP_SCHEME = 'app';
export const APP_HOST = 'paydesk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

export function createWindowOptions(preloadPath: string, kiosk = false): BrowserWindowConstructorOptions {
  return {
    width: 1024,
    height: 768,
    minWidth: 1024,
    minHeight: 768,
    show: false,
    kiosk,
    autoHideMenuBar: true,
    backgroundColor: '#f3f4f6',
    title: 'Paydesk',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: process.env.PAYDESK_DEVTOOLS === '1',
    },
  };
}

/** IPC is answered only for the app's own main frame loaded from app://paydesk/. */
export function isTrustedSender(frameUrl: string | undefined | null, isMainFrame: boolean): boolean {
  if (!isMainFrame || !frameUrl) return false;
  let url: URL;
  try {
    url = new URL(frameUrl);
  } catch {
    return false;
  }
  return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST;
}

/** Navigation inside the window: only within the app origin (a reload); everything else is blocked. */
export function isAllowedNavigation(target: string): boolean {
  try {
    const url = new URL(target);
    return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST;
  } catch {
    return false;
  }
}

/** Map an app:// request to a file inside the renderer folder; null for anything escaping it. */
export function resolveAppFile(rendererDir: string, requestUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  return resolveStaticPath(rendererDir, url.pathname);
}

/**
 * Permissions the renderer may get: only the camera ('media', video only), and only for the app's own
 * origin app://paydesk (the card scan by webcam). Everything else — microphone, notifications,
 * geolocation, HID, serial, clipboard… — and every other origin is refused. `mediaTypes` comes from a
 * request's details (Electron's MediaAccessPermissionRequest); a check (no details) may only enumerate.
 */
export function isPermissionAllowed(permission: string, origin: string, mediaTypes?: readonly string[]): boolean {
  if (permission !== 'media') return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return false;
  return mediaTypes === undefined || (mediaTypes.length > 0 && mediaTypes.every((type) => type === 'video'));
}
