// The window starts beside the core (docs/architecture.md "Start-up"): `node dist/main/kiosk.mjs` as IT runs it,
// with a core held back from ready (its Pay API host takes TCP connections and never answers the TLS
// handshake, so the core waits the full warm-up cap). Meanwhile the supervisor owns the port: it starts the
// browser (a stand-in that records how it was started), serves the page one request per connection, trades the
// one-time launch code once, refuses a wrong token at once and holds the right one's WebSocket; when the core is
// ready the held WebSocket is answered by it, new connections go to the core whole, and the traded code is
// worth nothing there either.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { KoshelekEmulator } from '../../emulators/koshelek';
import { ROOT, ensureRendererBuilt, waitFor, writeConfig } from './harness';

let dir: string;
let launchLog: string;
let kiosk: ChildProcess;
let blackhole: net.Server;
const held: net.Socket[] = [];
const lines: { at: number; line: string }[] = [];

const readyAt = (): number | undefined => lines.find((l) => l.line.startsWith('PAYDESK_KIOSK_READY '))?.at;
const readyToken = (): string => {
  const line = lines.find((l) => l.line.startsWith('PAYDESK_KIOSK_READY '))?.line ?? '';
  return /#token=([\w-]+)/.exec(line)?.[1] ?? '';
};

interface Answer { status: number; headers: http.IncomingHttpHeaders; body: string }
function request(url: string, init: { method?: string; headers?: Record<string, string>; agent?: http.Agent } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: init.method ?? 'GET', headers: init.headers, agent: init.agent ?? false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function openSocket(origin: string, token: string): WebSocket {
  return new WebSocket(`${origin.replace('http', 'ws')}/api`, ['paydesk.v1', `paydesk.token.${token}`], { origin });
}

beforeAll(async () => {
  ensureRendererBuilt();
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), '--only=kiosk'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('kiosk build failed');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-front-door-'));
  launchLog = path.join(dir, 'launches.jsonl');
  blackhole = net.createServer((socket) => { held.push(socket); });
  await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
  const hole = blackhole.address() as net.AddressInfo;
  const configFile = path.join(dir, 'paydesk.config.json');
  writeConfig(configFile, { baseUrl: `https://127.0.0.1:${hole.port}` } as KoshelekEmulator, null);
  const fake = path.join(dir, 'fake-browser.cjs');
  fs.writeFileSync(fake, `#!${process.execPath}
require('node:fs').appendFileSync(${JSON.stringify(launchLog)}, JSON.stringify({ at: Date.now(), argv: process.argv.slice(2) }) + '\\n');
setInterval(() => undefined, 1000);
`, { mode: 0o755 });
  kiosk = spawn(process.execPath, [path.join(ROOT, 'dist', 'main', 'kiosk.mjs'), '--config', configFile, '--data', path.join(dir, 'data')], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DISPLAY: ':99', PAYDESK_BROWSER: fake },
  });
  readline.createInterface({ input: kiosk.stdout as NodeJS.ReadableStream }).on('line', (line) => lines.push({ at: Date.now(), line }));
  readline.createInterface({ input: kiosk.stderr as NodeJS.ReadableStream }).on('line', (line) => lines.push({ at: Date.now(), line }));
}, 60_000);

afterAll(async () => {
  if (kiosk && kiosk.exitCode === null) {
    const exited = new Promise((r) => kiosk.once('exit', r));
    kiosk.kill('SIGTERM');
    await exited;
  }
  for (const s of held) s.destroy();
  await new Promise((r) => blackhole?.close(r));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the kiosk window starts beside the core', () => {
  it('serves the page and trades the code before the core is ready; the held WebSocket is answered by the ready core', async () => {
    await waitFor(() => fs.existsSync(launchLog), 10_000, 'browser started');
    const launch = JSON.parse(fs.readFileSync(launchLog, 'utf8').split('\n')[0] as string) as { at: number; argv: string[] };
    const appUrl = new URL((launch.argv.find((a) => a.startsWith('--app=')) ?? '').slice('--app='.length));
    const code = /^#launch=([\w-]+)$/.exec(appUrl.hash)?.[1] ?? '';
    expect(code).not.toBe('');
    const origin = appUrl.origin;

    // The page, from the supervisor (one request per connection), while the core is still starting.
    const keepAlive = new http.Agent({ keepAlive: true });
    const page = await request(`${origin}/`, { agent: keepAlive });
    keepAlive.destroy();
    expect(readyAt()).toBeUndefined();
    expect(page.status).toBe(200);
    expect(page.body).toContain('<html');
    expect(page.headers.connection).toBe('close');
    expect(page.headers['content-security-policy']).toContain(`ws://127.0.0.1:${appUrl.port}`);
    expect((await request(`${origin}/`, { headers: { Host: 'evil.example' } })).status).toBe(421);

    // The code, once, to the page's own origin only.
    expect((await request(`${origin}/session`, { method: 'POST', headers: { 'X-Paydesk-Launch': code, Origin: 'http://evil.example' } })).status).toBe(401);
    const traded = await request(`${origin}/session`, { method: 'POST', headers: { 'X-Paydesk-Launch': code, Origin: origin } });
    expect(traded.status).toBe(200);
    const token = (JSON.parse(traded.body) as { token: string }).token;
    expect((await request(`${origin}/session`, { method: 'POST', headers: { 'X-Paydesk-Launch': code, Origin: origin } })).status).toBe(401);

    // A wrong token is refused at once; the right one is held until the core is ready.
    const refused = await new Promise<number>((resolve) => {
      const ws = openSocket(origin, 'x'.repeat(43));
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    expect(refused).toBe(401);
    const ws = openSocket(origin, token);
    const opened = new Promise<number>((resolve, reject) => { ws.on('open', () => resolve(Date.now())); ws.on('error', reject); });
    const answered = new Promise<{ id: number; response: { ok: boolean } }>((resolve) => ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { id: number | null; response?: { ok: boolean } };
      if (frame.id === 1 && frame.response) resolve({ id: frame.id, response: frame.response });
    }));
    expect(readyAt()).toBeUndefined(); // (the core waits up to 2 s for its Pay API connection)
    const openedAt = await opened;
    ws.send(JSON.stringify({ id: 1, method: 'status.get', input: {} }));
    expect((await answered).response.ok).toBe(true);
    await waitFor(() => readyAt() !== undefined, 10_000, 'core ready');
    expect(launch.at).toBeLessThan(readyAt() as number); // the window did not wait for the core
    expect(openedAt).toBeGreaterThanOrEqual((readyAt() as number) - 200); // held, not served by a core that was not ready
    expect(readyToken()).toBe(token);
    ws.close();

    // Ready: new connections go to the core whole (kept alive), and the code traded above is worthless there too.
    const again = new http.Agent({ keepAlive: true });
    const fromCore = await request(`${origin}/`, { agent: again });
    again.destroy();
    expect(fromCore.status).toBe(200);
    expect(fromCore.headers.connection).toBe('keep-alive');
    expect((await request(`${origin}/session`, { method: 'POST', headers: { 'X-Paydesk-Launch': code, Origin: origin } })).status).toBe(401);
  }, 60_000);

  it('a port another program holds is said plainly, and nothing starts', async () => {
    const hole = blackhole.address() as net.AddressInfo;
    const out: string[] = [];
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'main', 'kiosk.mjs'), '--port', String(hole.port), '--data', path.join(dir, 'busy'), '--no-browser'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => out.push(String(d)));
    child.stderr?.on('data', (d: Buffer) => out.push(String(d)));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(out.join('')).toContain(`порт ${hole.port} уже занят`);
    expect(out.join('')).not.toContain('PAYDESK_KIOSK_CORE');
  }, 30_000);
});
