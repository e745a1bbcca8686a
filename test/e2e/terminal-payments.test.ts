// Card terminal payments end to end: Debian Chromium drives the built renderer through the kiosk shell
// against the real core, whose config lists the "terminal" provider with its launch pointing at the
// terminal emulator program (launched per sale, as a vendor app is). The cashier chooses «Карта
// (терминал)» — no card scan — and pays; the emulator's answer modes give each outcome: paid (slip
// visible), declined (a Russian instruction), cancelled on the terminal. The emulator's ledger is the
// money truth for each sale. Screenshots go to test-output/screenshots/.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKoshelekEmulator, type KoshelekEmulator } from '../../emulators/koshelek';
import { execLaunch, Ledger, type FaultMode } from '../../emulators/terminal';
import type { LedgerTransaction } from '../../emulators/terminal/ledger';
import type { TerminalLaunch } from '../../main/payapi/terminal/config';
import { CATALOGUE } from '../../main/errors/catalogue';
import { startKioskShell, type KioskShell } from '../../main/shell/kiosk/shell';
import { CHROMIUM, CHROMIUM_ARGS, ensureRendererBuilt, SCREENSHOTS, writeConfig } from './harness';

interface TerminalTill {
  dir: string;
  ledger: Ledger;
  koshelek: KoshelekEmulator;
  shell: KioskShell;
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

let till: TerminalTill;

async function startTerminalTill(launchOf?: (stateDir: string) => TerminalLaunch, providers: string[] = ['koshelek', 'terminal']): Promise<TerminalTill> {
  const rendererDir = ensureRendererBuilt();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-e2e-terminal-'));
  const configFile = path.join(dir, 'paydesk.config.json');
  const koshelek = await startKoshelekEmulator({ confirmDelayMs: 400 });
  writeConfig(configFile, koshelek, null);
  const stateDir = path.join(dir, 'terminal-app');
  const config = JSON.parse(fs.readFileSync(configFile, 'utf8')) as Record<string, unknown>;
  config.providers = providers;
  // The customer takes ~1 s at the terminal: the cashier sees the sale in progress first.
  const launch = launchOf ? launchOf(stateDir) : await execLaunch(stateDir, { processingMs: 1_000 });
  config.terminal = { enabled: true, launch, currency: 'RUB', timing: { saleTimeoutMs: 20_000, lookupScheduleMs: [0, 250, 500] } };
  fs.writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
  const shell = await startKioskShell({ configFile, dataDir: path.join(dir, 'data'), rendererDir });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'ru-RU' });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  await page.goto(shell.server.url);
  await page.getByTestId('status-env').waitFor();
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    dir, ledger: new Ledger(stateDir), koshelek, shell, browser, page,
    async close() {
      await browser.close().catch(() => undefined);
      await shell.close().catch(() => undefined);
      await koshelek.close().catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

beforeAll(async () => {
  till = await startTerminalTill();
});
afterAll(async () => {
  await till?.close();
});

/** A new sale of `rubles`, paid with «Карта (терминал)»; returns the terminal transactions it caused. */
async function payByTerminal(rubles: string, fault: FaultMode, shotName: string, on: TerminalTill = till): Promise<LedgerTransaction[]> {
  const { page } = on;
  const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  const before = new Set(on.ledger.transactions().map((x) => x.txKey));
  on.ledger.queueFaults([fault]);
  await page.keyboard.press('F1');
  await page.keyboard.press('F10');
  await page.getByTestId('amount').fill(rubles);
  // No card scan for a terminal: Pay (F9) lists the configured methods; the cashier picks the terminal.
  await page.keyboard.press('F9');
  await page.getByTestId('methods').waitFor({ timeout: 10_000 });
  const terminal = page.getByTestId('method-card');
  expect(await terminal.textContent()).toContain('Карта (терминал)');
  expect(await terminal.isEnabled()).toBe(true);
  await shot(`${shotName}-1-choose`);
  await terminal.click();
  const progressed = page.getByTestId('live-status').or(page.getByTestId('result')).or(page.getByTestId('error-panel'));
  await progressed.first().waitFor({ timeout: 10_000 });
  await shot(`${shotName}-2-at-terminal`);
  await page.getByTestId('result').or(page.getByTestId('error-panel')).first().waitFor({ timeout: 20_000 });
  await shot(`${shotName}-3-outcome`);
  // The terminal's record is written before the answer reaches the till: final here means recorded there.
  return on.ledger.transactions().filter((x) => !before.has(x.txKey));
}

describe('card terminal payments at the till', () => {
  it('paid: «Оплачено», the terminal slip on screen, one charge at the terminal', async () => {
    const { page } = till;
    const txs = await payByTerminal('1234,50', 'approve', 'terminal-01-paid');
    expect(await page.getByTestId('result-title').textContent()).toContain('Оплачено');
    await page.getByTestId('slip').waitFor();
    expect(txs).toHaveLength(1);
    const tx = txs[0];
    expect(tx).toMatchObject({ amountMinor: 123_450, currency: 'RUB', charged: true });
    const charged = tx?.answer?.transaction;
    expect(await page.getByTestId('slip-paymentTransactionId').textContent()).toBe(charged?.rrn);
    expect(await page.getByTestId('slip-rrn').textContent()).toBe(charged?.rrn);
    expect(await page.getByTestId('slip-authCode').textContent()).toBe(charged?.authCode);
    expect(await page.getByTestId('slip-paymentType').textContent()).toBe('Карта (терминал)');
    expect(await page.getByTestId('error-panel').count()).toBe(0);
  });

  it('declined by the bank: the Russian instruction, no success, nothing charged', async () => {
    const { page } = till;
    const txs = await payByTerminal('250', 'decline', 'terminal-02-declined');
    const panel = page.getByTestId('error-panel');
    expect(await panel.getAttribute('data-error-key')).toBe('terminal.declined');
    expect(await page.getByTestId('error-text').textContent()).toBe(CATALOGUE['terminal.declined'].ru);
    expect(await page.getByTestId('result').count()).toBe(0);
    expect(txs.map((x) => [x.amountMinor, x.charged, x.answer?.transaction?.status])).toEqual([[25_000, false, 'DECLINED']]);
  });

  it('cancelled on the terminal by the customer: the Russian instruction, no success, nothing charged', async () => {
    const { page } = till;
    const txs = await payByTerminal('99,90', 'cancel', 'terminal-03-cancelled');
    expect(await page.getByTestId('error-panel').getAttribute('data-error-key')).toBe('terminal.canceled');
    expect(await page.getByTestId('error-text').textContent()).toBe(CATALOGUE['terminal.canceled'].ru);
    expect(await page.getByTestId('result').count()).toBe(0);
    expect(txs.map((x) => [x.amountMinor, x.charged, x.answer?.transaction?.status])).toEqual([[9_990, false, 'CANCELLED']]);
  });

  it('the terminal app is missing (a wrong path in the config): on a terminal-only till F9 lists it not ready with the Russian instruction to call IT; nothing can be sold through it', async () => {
    // a till that takes cards only through the terminal: nothing else could take the sale
    const broken = await startTerminalTill(() => ({ mode: 'exec', executable: '/nonexistent/paydesk-terminal-app', args: [] }), ['terminal']);
    try {
      const { page } = broken;
      const before = broken.ledger.transactions().length;
      await page.keyboard.press('F1');
      await page.keyboard.press('F10');
      await page.getByTestId('amount').fill('10');
      // not «scan the card»: F9 opens the list and says why the terminal cannot take the payment
      await page.keyboard.press('F9');
      await page.getByTestId('methods').waitFor({ timeout: 10_000 });
      const terminal = page.getByTestId('method-card');
      expect(await terminal.isEnabled()).toBe(false);
      const note = page.getByTestId('method-note-card');
      expect(await note.getAttribute('data-error-key')).toBe('terminal.app_not_installed');
      expect(await note.textContent()).toBe(CATALOGUE['terminal.app_not_installed'].ru);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'terminal-04-app-missing.png') });
      await page.keyboard.press('1'); // the disabled method's key does nothing
      expect(await page.getByTestId('result').count()).toBe(0);
      expect(await page.getByTestId('live-status').count()).toBe(0);
      expect(broken.ledger.transactions()).toHaveLength(before);
    } finally {
      await broken.close();
    }
  });
});
