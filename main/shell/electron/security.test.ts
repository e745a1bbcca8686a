import { describe, expect, it } from 'vitest';
import { createWindowOptions, isAllowedNavigation, isPermissionAllowed, isTrustedSender, resolveAppFile } from './security';

describe('Electron window options', () => {
  it('isolates and sandboxes the renderer', () => {
    const web = createWindowOptions('/app/dist/preload/index.cjs').webPreferences;
    expect(web).toMatchObject({
      preload: '/app/dist/preload/index.cjs', contextIsolation: true, sandbox: true, nodeIntegration: false,
      nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false, webSecurity: true, allowRunningInsecureContent: false,
      experimentalFeatures: false, webviewTag: false,
    });
    expect(web?.enableBlinkFeatures).toBeUndefined();
  });
  it('is 1024×768 at least', () => {
    const o = createWindowOptions('p');
    expect([o.minWidth, o.minHeight]).toEqual([1024, 768]);
  });
});

describe('IPC sender check', () => {
  it('accepts the app main frame only', () => {
    expect(isTrustedSender('app://paydesk/index.html', true)).toBe(true);
    expect(isTrustedSender('app://paydesk/index.html', false)).toBe(false);
    expect(isTrustedSender('https://evil.example/', true)).toBe(false);
    expect(isTrustedSender('file:///app/index.html', true)).toBe(false);
    expect(isTrustedSender('app://other/index.html', true)).toBe(false);
    expect(isTrustedSender(undefined, true)).toBe(false);
    expect(isTrustedSender('not a url', true)).toBe(false);
  });
});

describe('navigation and app:// files', () => {
  it('blocks navigation away from the app', () => {
    expect(isAllowedNavigation('app://paydesk/index.html')).toBe(true);
    expect(isAllowedNavigation('https://example.com/')).toBe(false);
    expect(isAllowedNavigation('javascript:alert(1)')).toBe(false);
  });
  it('never serves files outside the renderer folder', () => {
    expect(resolveAppFile('/r', 'app://paydesk/')).toBe('/r/index.html');
    expect(resolveAppFile('/r', 'app://paydesk/assets/a.js')).toBe('/r/assets/a.js');
    expect(resolveAppFile('/r', 'app://paydesk/..%2f..%2fetc/passwd')).toBeNull();
    expect(resolveAppFile('/r', 'app://paydesk/%2e%2e/secret')).toBe('/r/secret'); // URL parsing folds dot segments: stays inside
    expect(resolveAppFile('/r', 'app://other/index.html')).toBeNull();
  });
  it('grants the camera to the app origin only, and nothing else', () => {
    expect(isPermissionAllowed('media', 'app://paydesk')).toBe(true);
    expect(isPermissionAllowed('media', 'app://paydesk/')).toBe(true);
    expect(isPermissionAllowed('media', 'app://paydesk/index.html', ['video'])).toBe(true);
    // no microphone, not even together with the camera
    expect(isPermissionAllowed('media', 'app://paydesk/index.html', ['audio'])).toBe(false);
    expect(isPermissionAllowed('media', 'app://paydesk/index.html', ['video', 'audio'])).toBe(false);
    expect(isPermissionAllowed('media', 'app://paydesk/index.html', [])).toBe(false);
    // other origins
    for (const origin of ['app://evil', 'https://paydesk', 'http://127.0.0.1:8080', 'file:///index.html', 'app://paydesk.evil', '', 'null']) {
      expect(isPermissionAllowed('media', origin, ['video'])).toBe(false);
    }
    // other permissions, even for the app
    for (const permission of ['geolocation', 'notifications', 'clipboard-read', 'hid', 'serial', 'usb', 'openExternal', 'fullscreen', 'mediaKeySystem', 'display-capture']) {
      expect(isPermissionAllowed(permission, 'app://paydesk')).toBe(false);
    }
  });
});
