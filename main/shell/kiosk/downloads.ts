// Exported reports (PDF / CSV / text) served to the kiosk window, so the manager can open one from the
// till rather than read a path. The WebSocket API (token-authenticated) hands out a ticket: 32 random
// bytes naming one file for a few minutes. The HTTP side serves only ticketed files, only from the
// exports folder (real path checked at serve time: no `..`, no symlink out), never lists anything.
import crypto from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';

export const DOWNLOAD_PREFIX = '/download/';
/** Long enough to open the file and let the PDF viewer re-read it; short enough that a leaked address dies soon. */
export const TICKET_TTL_MS = 5 * 60_000;
const MAX_TICKETS = 100;

const TYPES: Record<string, string> = {
  '.pdf': 'application/pdf', '.csv': 'text/csv; charset=utf-8', '.txt': 'text/plain; charset=utf-8',
};

export interface Downloads {
  /** A download path (`/download/<ticket>/<name>`) for a file inside the exports folder; throws for any other file. */
  offer(file: string): string;
  /** Serves `/download/…` requests (true: handled, the caller stops); anything else is left to the caller. */
  handle(req: http.IncomingMessage, res: http.ServerResponse): boolean;
}

function inside(root: string, file: string): boolean {
  return file.startsWith(root + path.sep);
}

export function createDownloads(options: { exportDir: string; now?: () => number }): Downloads {
  const now = options.now ?? Date.now;
  const tickets = new Map<string, { file: string; expires: number }>();
  const realRoot = (): string | null => {
    try {
      return fs.realpathSync(options.exportDir);
    } catch {
      return null;
    }
  };
  const prune = (): void => {
    const t = now();
    for (const [k, v] of tickets) if (v.expires <= t) tickets.delete(k);
    while (tickets.size >= MAX_TICKETS) {
      const oldest = tickets.keys().next().value;
      if (oldest === undefined) break;
      tickets.delete(oldest);
    }
  };
  /** The real path of `file` when it is a regular file of a served type inside the exports folder. */
  const safe = (file: string): string | null => {
    const root = realRoot();
    if (!root || !(path.extname(file).toLowerCase() in TYPES)) return null;
    let real: string;
    try {
      real = fs.realpathSync(file);
    } catch {
      return null;
    }
    return inside(root, real) && fs.statSync(real).isFile() ? real : null;
  };

  return {
    offer(file) {
      const real = safe(path.resolve(file));
      if (!real) throw new Error(`not an exported report: ${file}`);
      prune();
      const ticket = crypto.randomBytes(32).toString('base64url');
      tickets.set(ticket, { file: real, expires: now() + TICKET_TTL_MS });
      return `${DOWNLOAD_PREFIX}${ticket}/${encodeURIComponent(path.basename(real))}`;
    },
    handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (!url.pathname.startsWith(DOWNLOAD_PREFIX)) return false;
      const ticket = url.pathname.slice(DOWNLOAD_PREFIX.length).split('/')[0] ?? '';
      const entry = tickets.get(ticket);
      // Looked up by exact key (a Map), so a wrong ticket costs the same whatever it shares with a right one.
      const real = entry && entry.expires > now() ? safe(entry.file) : null;
      if (!entry || !real) {
        if (entry) tickets.delete(ticket);
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }).end('not found');
        return true;
      }
      const name = path.basename(real);
      const body = fs.readFileSync(real);
      res.writeHead(200, {
        'Content-Type': TYPES[path.extname(name).toLowerCase()] ?? 'application/octet-stream',
        'Content-Length': body.length,
        // inline: the PDF opens in the window's viewer; CSV / text are offered as files with their names.
        'Content-Disposition': `${name.endsWith('.pdf') ? 'inline' : 'attachment'}; filename="${name.replace(/[^\w.-]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-store',
        'Referrer-Policy': 'no-referrer',
        // Text and CSV never run anything; the PDF keeps Chromium's viewer (a sandbox CSP would block it).
        ...(name.endsWith('.pdf') ? {} : { 'Content-Security-Policy': "default-src 'none'; sandbox" }),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    },
  };
}
