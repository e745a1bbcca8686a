// The kiosk's ticketed downloads over a real loopback HTTP server: only offered files, only from the
// exports folder, only while the ticket lives; hostile paths and guessed tickets get nothing.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDownloads, TICKET_TTL_MS } from './downloads';

let dir = '';
let server: http.Server | null = null;
afterEach(async () => {
  if (server) await new Promise((r) => server?.close(r));
  server = null;
  fs.rmSync(dir, { recursive: true, force: true });
});

async function serve(handle: (req: http.IncomingMessage, res: http.ServerResponse) => boolean): Promise<string> {
  server = http.createServer((req, res) => {
    if (!handle(req, res)) res.writeHead(418).end();
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('kiosk downloads', () => {
  it('serves an offered export by its ticket, and nothing else', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-dl-'));
    const exports = path.join(dir, 'exports');
    fs.mkdirSync(exports);
    fs.writeFileSync(path.join(dir, 'journal.db'), 'secret');
    fs.writeFileSync(path.join(dir, 'outside.pdf'), '%PDF outside');
    fs.symlinkSync(path.join(dir, 'outside.pdf'), path.join(exports, 'link.pdf'));
    const pdf = path.join(exports, 'Z-0001-shift-1.pdf');
    fs.writeFileSync(pdf, '%PDF-1.3 report');
    fs.writeFileSync(path.join(exports, 'X-shift-1.csv'), '\uFEFFСмена;Z №\r\n');
    let clock = 1_000_000;
    const downloads = createDownloads({ exportDir: exports, now: () => clock });
    const base = await serve((req, res) => downloads.handle(req, res));

    const url = downloads.offer(pdf);
    expect(url).toMatch(/^\/download\/[A-Za-z0-9_-]{43}\/Z-0001-shift-1\.pdf$/);
    const ok = await fetch(base + url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/pdf');
    expect(ok.headers.get('content-disposition')).toContain('inline');
    expect(await ok.text()).toBe('%PDF-1.3 report');
    const csv = await fetch(base + downloads.offer(path.join(exports, 'X-shift-1.csv')));
    expect(csv.headers.get('content-disposition')).toContain('attachment');

    // Only files of the exports folder are offered at all.
    expect(() => downloads.offer(path.join(dir, 'journal.db'))).toThrow(/not an exported report/);
    expect(() => downloads.offer(path.join(exports, '..', 'outside.pdf'))).toThrow(/not an exported report/);
    expect(() => downloads.offer(path.join(exports, 'link.pdf'))).toThrow(/not an exported report/);
    // A guessed ticket, a path instead of a ticket, traversal: 404, the body never leaks.
    for (const probe of ['/download/', '/download/AAAA/Z-0001-shift-1.pdf', '/download/%2e%2e%2fjournal.db', `/download/${'A'.repeat(43)}/x.pdf`]) {
      const r = await fetch(base + probe);
      expect(r.status, probe).toBe(404);
      expect(await r.text()).toBe('not found');
    }
    // Other paths are left to the server.
    expect((await fetch(`${base}/index.html`)).status).toBe(418);
    // The ticket dies with time; a file swapped for a symlink after the offer is refused.
    const swapped = path.join(exports, 'X-shift-2.txt');
    fs.writeFileSync(swapped, 'text');
    const swappedUrl = downloads.offer(swapped);
    fs.rmSync(swapped);
    fs.symlinkSync(path.join(dir, 'journal.db'), swapped);
    expect((await fetch(base + swappedUrl)).status).toBe(404);
    clock += TICKET_TTL_MS + 1;
    expect((await fetch(base + url)).status).toBe(404);
  });
});
