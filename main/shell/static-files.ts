// One hardened static-file resolver for both shells (Electron's app:// handler and the kiosk's HTTP server).
// Hostile paths (bad percent-encoding, NUL, backslashes, `..`, over-long) resolve to null — never to a throw
// that could take the core, and every payment in it, down (docs/safety.md).
import path from 'node:path';

/** Longer request paths than this are refused outright (the renderer's own are short). */
export const MAX_STATIC_PATH = 1024;

/**
 * The file under `root` that a URL pathname (still percent-encoded) names, or null. With `spaRoutes`,
 * extension-less paths are the single-page app's routes and resolve to index.html.
 */
export function resolveStaticPath(root: string, encodedPathname: string, spaRoutes = false): string | null {
  if (encodedPathname.length === 0 || encodedPathname.length > MAX_STATIC_PATH) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(encodedPathname);
  } catch {
    return null; // malformed percent-encoding, e.g. /%E0%A4%A
  }
  // NUL makes fs throw synchronously; control characters and backslashes have no place in our asset names.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(rel)) return null;
  if (!rel.startsWith('/')) rel = `/${rel}`;
  const base = path.resolve(root);
  const file = path.resolve(base, `.${rel}`);
  if (file !== base && !file.startsWith(base + path.sep)) return null;
  if (file === base || (spaRoutes && !path.extname(file))) return path.join(base, 'index.html');
  return file;
}
