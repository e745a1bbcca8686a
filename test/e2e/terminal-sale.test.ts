// A sale paid on the card terminal, from the keyboard, in Debian Chromium against the real core: no card
// scan, F9 lists the configured methods (the terminal's ready, the scanned-card ones waiting for a scan),
// the method's number key starts it, the screen says to follow the terminal, then paid with its slip,
// declined, or cancelled on the terminal and retried. The terminal is the emulator's HTTP endpoint with
// its own ledger (what was charged), queued faults deciding each sale's answer.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../emulators/terminal';
import { serveHttp, type RunningTerminal } from '../../emulators/terminal/server';
import { startTill, type Till } from './harness';

let till: Till;
let terminal: RunningTerminal;
let ledger: Ledger;
let ledgerDir: string;

beforeAll(async () => {
  ledgerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-e2e-terminal-'));
  ledger = new Ledger(ledgerDir);
  terminal = await serveHttp({
    ledger, defaultFault: 'approve', processingMs: 700, slowMs: 5_000, terminalId: 'EMU00001', merchantId: '200000000001056', crash: 'connection',
  }, 0);
  till = await startTill({
    config: { terminal: { enabled: true, launch: { mode: 'http', url: `http://127.0.0.1:${terminal.port}/terminal` } } },
  });
}, 60_000);
afterAll(async () => {
  await till?.close();
  await terminal?.close();
  fs.rmSync(ledgerDir, { recursive: true, force: true });
});

/** Amount typed, no card: F9 opens the method list; the terminal's number key starts the payment. */
async function payOnTerminal(amount: string): Promise<void> {
  const { page } = till;
  await page.keyboard.press('F1');
  await page.keyboard.press('F10');
  await page.getByTestId('amount').fill(amount);
  await expect.poll(() => page.getByTestId('next-step').textContent(), { timeout: 5000 }).toContain('или нажмите «Оплатить» (F9)');
  expect(await page.getByTestId('pay').isEnabled()).toBe(true);
  await page.keyboard.press('F9');
  await page.getByTestId('methods').waitFor({ timeout: 5000 });
  const card = page.locator('[data-testid="method-row"][data-provider="terminal"]');
  await expect.poll(() => card.getAttribute('data-enabled'), { timeout: 5000 }).toBe('true');
  const key = await card.getByRole('button').getAttribute('data-key');
  expect(key).toMatch(/^[1-9]$/);
  await page.keyboard.press(key as string);
}

const charged = (): number => ledger.transactions().filter((t) => t.charged).length;

describe('card terminal sale (no card scan)', () => {
  it('lists the terminal ready and the scanned-card methods waiting for a scan; pays with the number key; the slip follows', async () => {
    const { page } = till;
    const before = charged();
    await page.keyboard.press('F1');
    await page.keyboard.press('F10');
    await page.getByTestId('amount').fill('432,10');
    await page.keyboard.press('F9');
    await page.getByTestId('methods').waitFor({ timeout: 5000 });
    // Methods that need the customer card say so; none of them can be taken without it.
    const waiting = page.locator('[data-testid="method-row"][data-enabled="false"]');
    expect(await waiting.count()).toBeGreaterThanOrEqual(1);
    for (const note of await waiting.locator('.method-note').allTextContents()) expect(note).toContain('отсканируйте');
    await till.screenshot('terminal-01-methods');
    const card = page.locator('[data-testid="method-row"][data-provider="terminal"]');
    expect(await card.textContent()).toContain('Карта (терминал)');
    await page.keyboard.press((await card.getByRole('button').getAttribute('data-key')) as string);
    await page.getByTestId('live-status').waitFor({ timeout: 5000 });
    expect(await page.getByTestId('next-step').textContent()).toBe('Следуйте указаниям на терминале');
    await till.screenshot('terminal-02-follow-terminal');
    await page.getByTestId('result').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('result-title').textContent()).toContain('Оплачено');
    expect(await page.getByTestId('slip').getAttribute('data-provider')).toBe('terminal');
    expect(await page.getByTestId('slip-paymentType').getAttribute('data-raw')).toBe('card');
    expect(await page.getByTestId('slip-amount').textContent()).toContain('432,10');
    await till.screenshot('terminal-03-paid-slip');
    expect(charged()).toBe(before + 1);
    expect(ledger.transactions().at(-1)?.amountMinor).toBe(43210);
  });

  it('declined on the terminal: the catalogue instruction, nothing charged', async () => {
    const { page } = till;
    const before = charged();
    ledger.queueFaults(['decline']);
    await payOnTerminal('150');
    await page.getByTestId('error-panel').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('error-panel').getAttribute('data-error-key')).toBe('terminal.declined');
    await till.screenshot('terminal-04-declined');
    expect(charged()).toBe(before);
  });

  it('cancelled on the terminal: Enter retries on the terminal, without any scan, and the retry is paid', async () => {
    const { page } = till;
    const before = charged();
    ledger.queueFaults(['cancel']);
    await payOnTerminal('99,90');
    await page.getByTestId('error-panel').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('error-panel').getAttribute('data-error-key')).toBe('terminal.canceled');
    expect(charged()).toBe(before);
    await till.screenshot('terminal-05-cancelled-on-terminal');
    await page.keyboard.press('Enter');
    await page.getByTestId('result').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('slip-amount').textContent()).toContain('99,90');
    expect(charged()).toBe(before + 1);
  });
});
