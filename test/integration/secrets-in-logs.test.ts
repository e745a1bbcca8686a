// Secrets never reach a log line or the status bar: a whole sale over the kiosk's WebSocket (the per-start
// token as the page sends it) at log level debug, then a malformed config edit whose invalid JSON holds an
// unquoted password. The log file and every status the renderer gets are grepped for the secrets.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startKoshelekEmulator, type KoshelekEmulator } from '../../emulators/koshelek';
import { WS_PATH, WS_PROTOCOL, WS_TOKEN_PREFIX } from '../../main/contract/api';
import { startKioskShell, type KioskShell } from '../../main/shell/kiosk/shell';
import { card, orderId, tempDir, writeTillConfig } from '../support/till';

const PASSWORD = 'Zq8vW3r-Pm61xTj';
const TOKEN = 'kioskTok-9vX2mR7wQe4LpZ0aB8cD1fG6hJ3kN5sT0uVyW';

let shell: KioskShell | null = null;
let emulator: KoshelekEmulator | null = null;
afterEach(async () => {
  await shell?.close();
  await emulator?.close();
  shell = null;
  emulator = null;
});

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function secretsIn(text: string): string[] {
  const found: string[] = [];
  // Any 6 characters of it: a parser's message quotes a window of the file, often a cut password.
  for (let i = 0; i + 6 <= PASSWORD.length; i += 1) if (text.includes(PASSWORD.slice(i, i + 6))) { found.push('password'); break; }
  if (text.includes(Buffer.from(`emulator:${PASSWORD}`).toString('base64'))) found.push('basic auth');
  if (text.includes(TOKEN)) found.push('kiosk token');
  return found;
}

async function startShell(): Promise<{ dataDir: string; configFile: string }> {
  emulator = await startKoshelekEmulator({ password: PASSWORD, confirmDelayMs: 100 });
  const dataDir = tempDir('paydesk-secrets-');
  const configFile = writeTillConfig({ emulator, dataDir, koshelek: { password: PASSWORD }, extra: { logging: { level: 'debug' } } });
  const rendererDir = path.join(dataDir, 'renderer');
  fs.mkdirSync(rendererDir);
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>till</title>');
  shell = await startKioskShell({ configFile, dataDir, rendererDir, token: TOKEN });
  return { dataDir, configFile };
}

function connect(port: number): Promise<{ ws: WebSocket; call(method: string, input: unknown): Promise<unknown>; frames: string[] }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${WS_PATH}`, [WS_PROTOCOL, `${WS_TOKEN_PREFIX}${TOKEN}`]);
  const frames: string[] = [];
  const waiting = new Map<number, (r: unknown) => void>();
  let seq = 0;
  ws.on('message', (data) => {
    const text = String(data);
    frames.push(text);
    const frame = JSON.parse(text) as { id: number | null; response?: unknown };
    if (frame.id !== null) waiting.get(frame.id)?.(frame.response);
  });
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => resolve({
      ws, frames,
      call: (method, input) => new Promise((r) => {
        seq += 1;
        waiting.set(seq, r);
        ws.send(JSON.stringify({ id: seq, method, input }));
      }),
    }));
  });
}

async function logText(dataDir: string, expected: string): Promise<string> {
  // pino writes asynchronously: the core's close flushes; give the file a moment on a loaded machine.
  const file = path.join(dataDir, 'logs', 'paydesk.log');
  await until(() => fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes(expected), 5_000);
  return fs.readFileSync(file, 'utf8');
}

describe('secrets stay out of logs and the status bar', () => {
  it('a full sale over the kiosk WebSocket at level debug logs neither the Pay API password nor the kiosk token', async () => {
    const { dataDir } = await startShell();
    const api = await connect(shell?.server.port ?? 0);
    const paid = await api.call('sale.pay', { orderId: orderId(), amountKop: 12_345, card: card('OK'), paymentType: 'SBP' }) as { ok: boolean; data: { id: string } };
    expect(paid.ok).toBe(true);
    const done = await shell?.core.checkout.waitFinal(paid.data.id, 10_000);
    expect(done?.outcome).toBe('paid');
    expect(emulator?.received.some((r) => r.endpoint === 'checkout')).toBe(true);
    api.ws.close();
    await shell?.close();
    shell = null;
    const log = await logText(dataDir, 'shift opened automatically');
    expect(secretsIn(log)).toEqual([]);
    expect(secretsIn(api.frames.join('\n'))).toEqual([]);
  }, 30_000);

  it('a config edit with an unquoted password: the problem names file/line/column, never the value, in the status and the log', async () => {
    const { dataDir, configFile } = await startShell();
    const good = fs.readFileSync(configFile, 'utf8');
    const broken = good.replace(`"password": "${PASSWORD}"`, `"password": ${PASSWORD}`);
    expect(broken).not.toBe(good);
    fs.writeFileSync(configFile, broken);
    const core = shell?.core;
    await until(() => (core?.config.getStatus().problems.length ?? 0) > 0);
    const status = core?.config.getStatus();
    expect(status?.problems[0]?.reason).toMatch(/^invalid JSON/);
    expect(secretsIn(JSON.stringify(status))).toEqual([]);
    expect(status?.problems[0]?.reason).toMatch(/line \d+/);
    const api = await connect(shell?.server.port ?? 0);
    const shown = await api.call('status.get', {});
    expect(JSON.stringify(shown)).toMatch(/invalid JSON|JSON/);
    expect(secretsIn(JSON.stringify([status, shown, api.frames]))).toEqual([]);
    // The till keeps selling on the last good config.
    const paid = await api.call('sale.pay', { orderId: orderId(), amountKop: 5_000, card: card('OK'), paymentType: 'SBP' }) as { ok: boolean; data: { id: string } };
    expect((await core?.checkout.waitFinal(paid.data.id, 10_000))?.outcome).toBe('paid');
    api.ws.close();
    await shell?.close();
    shell = null;
    const log = await logText(dataDir, 'invalid JSON');
    expect(secretsIn(log)).toEqual([]);
  }, 30_000);
});
