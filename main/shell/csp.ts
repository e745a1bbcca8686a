// The renderer's Content-Security-Policy, shared by the kiosk server (HTTP header) and the Electron
// shell (response header on the app:// protocol). No 'unsafe-inline' or 'unsafe-eval' for scripts;
// 'wasm-unsafe-eval' lets the frame decode worker compile zxing-cpp's WebAssembly (not JS eval: eval() and
// new Function stay blocked), and workers come only from the app itself. docs/security.md "CSP".
export function contentSecurityPolicy(connectSrc = ''): string {
  return [
    "default-src 'none'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self'",
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
