// Bank credentials never reach a log line: the Tochka token and the Halyk client secret, at log level debug,
// through start-up discovery, a sale with each bank, a refused create (wrong token after a config edit) and
// the config-edit change list. The log file is grepped for any 8-character window of either secret.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { HalykEmulator } from '../../emulators/halyk';
import { startKoshelekEmulator } from '../../emulators/koshelek';
import { TochkaEmulator } from '../../emulators/tochka';
import { startCore } from '../../main/core/core';
import { orderId, tempDir, writeTillConfig } from '../support/till';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.tochkaSecretPayload-7Qm2.sig9Xw';
const ROTATED = 'eyJhbGciOiJSUzI1NiJ9.rotatedSecretPayload-4Lp8.sigZ1';
const SECRET = 'halykClientSecret-5Rt8Yu2Io';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function leaks(text: string): string[] {
  return [TOKEN, ROTATED, SECRET].filter((s) => {
    for (let i = 0; i + 8 <= s.length; i += 1) if (!s.slice(i, i + 8).startsWith('eyJhbGci') && text.includes(s.slice(i, i + 8))) return true;
    return false;
  });
}

it('neither bank secret appears in the debug log through sales, a refused create and a config edit', async () => {
  const koshelek = await startKoshelekEmulator({ confirmDelayMs: 100 });
  cleanups.push(() => koshelek.close());
  const ru = new TochkaEmulator({ token: TOKEN });
  const ruUrl = await ru.start();
  cleanups.push(() => ru.stop());
  const kz = new HalykEmulator({ clientId: 'till-7', clientSecret: SECRET, terminalId: 'terminal-1', shopId: 'shop-1' });
  const kzUrl = await kz.start();
  cleanups.push(() => kz.stop());
  const dataDir = tempDir('paydesk-bank-secrets-');
  const configFile = writeTillConfig({
    emulator: koshelek, dataDir,
    extra: {
      logging: { level: 'debug' },
      providers: ['koshelek', 'tochka', 'halyk'],
      tochka: { enabled: true, baseUrl: ruUrl, token: TOKEN, timing: { requestTimeoutMs: 1_000, pollScheduleMs: [100] } },
      halyk: { enabled: true, oauthUrl: kzUrl, apiUrl: kzUrl, clientId: 'till-7', clientSecret: SECRET, terminalId: 'terminal-1', shopId: 'shop-1', timing: { requestTimeoutMs: 1_000, pollScheduleMs: [100] } },
    },
  });
  const core = await startCore({ configFile, dataDir });
  cleanups.push(() => core.close());

  const sale = await core.checkout.pay({ orderId: orderId(), amountKop: 1_000, paymentType: 'sbp' });
  const kzSale = await core.checkout.pay({ orderId: orderId(), amountKop: 2_000, paymentType: 'card_foreign' });
  const end = Date.now() + 10_000;
  while ((!ru.byLinkId(sale.requestId) || core.checkout.get(kzSale.id)?.customerAction == null) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  ru.pay(ru.byLinkId(sale.requestId)?.operationId ?? '', 'sbp');
  expect((await core.checkout.waitFinal(sale.id, 10_000)).outcome).toBe('paid');

  // IT rotates the token to one the bank does not know: the edit is logged masked, the next create is refused.
  const config = JSON.parse(fs.readFileSync(configFile, 'utf8')) as { tochka: Record<string, unknown> };
  fs.writeFileSync(configFile, JSON.stringify({ ...config, tochka: { ...config.tochka, token: ROTATED } }, null, 2));
  const until = Date.now() + 10_000;
  while (core.config.current().tochka.token !== ROTATED && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 200));
  const refused = await core.checkout.pay({ orderId: orderId(), amountKop: 1_000, paymentType: 'sbp' });
  expect((await core.checkout.waitFinal(refused.id, 10_000)).error?.key).toBe('tochka.forbidden');

  await core.close();
  cleanups.pop();
  const log = fs.readFileSync(path.join(dataDir, 'logs', 'paydesk.log'), 'utf8');
  expect(log).toContain('tochka.token: changed (secret, not shown)');
  expect(log).toContain('bank connection health changed');
  expect(leaks(log)).toEqual([]);
});
