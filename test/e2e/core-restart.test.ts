// Core lost (issue #10): the kiosk shell as IT runs it — `node dist/main/kiosk.mjs`, a supervisor with
// the core in a child process. The core is SIGKILLed while the customer is confirming a payment; the
// open Chromium window must stop showing a live-looking payment, reconnect by itself to the restarted
// core (same port, same token), and show what recovery found: the payment, charged once.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCard, startKoshelekEmulator, type KoshelekEmulator } from '../../emulators/koshelek';
import { CHROMIUM, CHROMIUM_ARGS, ROOT, SCREENSHOTS, ensureRendererBuilt, waitFor, writeConfig } from './harness';

let emulator: KoshelekEmulator;
let dir: string;
let kiosk: ChildProcess;
let browser: Browser;
const lines: string[] = [];

function ensureKioskBuilt(): void {
  const out = path.join(ROOT, 'dist', 'main', 'kiosk.mjs');
  const src = path.join(ROOT, 'main', 'shell', 'kiosk', 'core-main.ts');
  if (!fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(src).mtimeMs) {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), '--only=kiosk'], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('kiosk build failed');
  }
}

const corePids = (): number[] => lines.filter((l) => l.startsWith('PAYDESK_KIOSK_CORE ')).map((l) => (JSON.parse(l.slice(19)) as { pid: number }).pid);
const readyInfos = (): { url: string; codeCache: string }[] => lines.filter((l) => l.startsWith('PAYDESK_KIOSK_READY ')).map((l) => JSON.parse(l.slice(20)) as { url: string; codeCache: string });
const readyUrls = (): string[] => readyInfos().map((r) => r.url);

beforeAll(async () => {
  ensureRendererBuilt();
  ensureKioskBuilt();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-restart-'));
  emulator = await startKoshelekEmulator({ confirmDelayMs: 2500 });
  const configFile = path.join(dir, 'paydesk.config.json');
  writeConfig(configFile, emulator, null, { finalStatusTimeoutMs: 20_000 });
  kiosk = spawn(process.execPath, [path.join(ROOT, 'dist', 'main', 'kiosk.mjs'), '--config', configFile, '--data', path.join(dir, 'data')], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DISPLAY: '', WAYLAND_DISPLAY: '' },
  });
  readline.createInterface({ input: kiosk.stdout as NodeJS.ReadableStream }).on('line', (l) => lines.push(l));
  readline.createInterface({ input: kiosk.stderr as NodeJS.ReadableStream }).on('line', (l) => lines.push(l));
  await waitFor(() => readyUrls().length > 0, 20_000, 'kiosk ready');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  if (kiosk && kiosk.exitCode === null) {
    const exited = new Promise((r) => kiosk.once('exit', r));
    kiosk.kill('SIGTERM');
    await exited;
  }
  await emulator?.close().catch(() => undefined);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('kiosk supervisor', () => {
  it('no display: says so, keeps serving and prints the URL (never a silent exit)', () => {
    expect(lines.join('\n')).toContain('нет экрана');
    expect(lines.some((l) => l.startsWith('Paydesk kiosk: http://127.0.0.1:'))).toBe(true);
    expect(kiosk.exitCode).toBeNull();
  });

  it('SIGKILL of the core during a payment: the window reconnects by itself and shows the recovered payment, charged once', async () => {
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'ru-RU' });
    const page = await context.newPage();
    await page.goto(readyUrls()[0] as string);
    await page.getByTestId('status-env').waitFor();
    await page.getByTestId('amount').fill('321');
    const card = makeTestCard('OK');
    await page.getByTestId('manual-code').fill(card.barcode);
    await page.getByTestId('manual-code').press('Enter');
    await page.getByTestId('card-kp').waitFor({ timeout: 5000 });
    await page.keyboard.press('F9');
    await page.getByTestId('live-status').waitFor({ timeout: 5000 });
    await waitFor(() => emulator.received.some((r) => r.endpoint === 'checkout'), 5000, 'checkout sent');

    const [first] = corePids();
    process.kill(first as number, 'SIGKILL');
    await page.getByTestId('core-lost').waitFor({ timeout: 5000 });
    expect(await page.getByTestId('live-status').count()).toBe(0); // nothing live-looking while the core is gone
    await page.screenshot({ path: path.join(SCREENSHOTS, 'ux-12-core-lost.png') });

    await waitFor(() => corePids().length >= 2 && readyUrls().length >= 2, 20_000, 'core restarted');
    expect(readyUrls()[1]).toBe(readyUrls()[0]); // same port and token: the window needs nothing from anyone
    // The first core wrote the code cache once ready; the restarted one compiled nothing from source.
    expect(readyInfos().map((r) => r.codeCache)).toEqual(['absent', 'used']);
    await page.getByTestId('recovery').waitFor({ timeout: 10_000 });
    await page.getByTestId('result').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('result-title').textContent()).toContain('Оплачено');
    expect(await page.getByTestId('status-core').count()).toBe(0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'ux-13-core-recovered.png') });
    // The recovered core replays an unanswered checkout with the same requestId (Koshelek's idempotency
    // answers it again with the same transaction), so several 200s may be seen: one payment is one requestId.
    const checkouts = emulator.received.filter((r) => r.endpoint === 'checkout' && (r.body as { cardSession?: string }).cardSession === card.cardSession);
    // Whether the first core stored the checkout's answer before the kill is a race: if not, the
    // recovered core repeats the same request (same requestId) and gets the stored answer replayed
    // (200 again, same transaction). Either way: one request id answered 200, one transaction made.
    const accepted = checkouts.filter((r) => r.responseStatus === 200);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(accepted[0]?.requestId).toBeTruthy();
    expect(new Set(accepted.map((r) => r.requestId)).size).toBe(1);
    expect(emulator.stats().transactions).toBe(1);
    const tx = (await page.getByTestId('slip-paymentTransactionId').textContent()) ?? '';
    expect(emulator.transaction(tx)?.status).toBe('accepted');
    expect(emulator.transaction(tx)?.cardSession).toBe(card.cardSession);
    await context.close();
  }, 90_000);
});
