// The renderer's Content-Security-Policy, shared by the kiosk server (HTTP header) and the Electron
// shell (response header on the app:// protocol). No 'unsafe-inline' or 'unsafe-eval' for scripts.
export function contentSecurityPolicy(connectSrc = ''): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${connectSrc ? ` ${connectSrc}` : ''}`,
    "media-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
