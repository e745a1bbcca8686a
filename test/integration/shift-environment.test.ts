// A config edit that moves the Pay API to another environment (emulator / test / production) while a
// shift is open: the till refuses new sales with the Russian instruction to close the shift, the status
// bar says why, and the next shift (opened after the Z) sells again in the new environment.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { card, orderId } from '../support/till';
import { startApiHarness, type ApiHarness } from '../support/api-session';

let harness: ApiHarness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

async function eventually(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('switching the payment environment mid-shift', () => {
  it('is refused until the shift is closed', async () => {
    // A test-environment till (its own TOTP key, which card() signs with), as IT configures one.
    const h = await startApiHarness({ mode: 'test' });
    harness = h;
    const { core } = h.till;
    await h.call('shift.open', { cashier: 'Иванова' });
    const first = await h.call('sale.pay', { orderId: orderId(), amountKop: 10_000, card: card('OK'), paymentType: 'SBP' });
    expect((await core.checkout.waitFinal(first.id, 10_000)).outcome).toBe('paid');
    expect((await h.call('status.get', {})).shift).toMatchObject({ environment: 'test', environmentChanged: false });

    // IT points the till at production (here: the same emulator under the production URL).
    const json = JSON.parse(fs.readFileSync(h.till.configFile, 'utf8')) as { koshelek: { environment: string; baseUrls: { production: string } } };
    json.koshelek.environment = 'production';
    json.koshelek.baseUrls.production = h.till.emulator.baseUrl;
    fs.writeFileSync(h.till.configFile, JSON.stringify(json, null, 2), { mode: 0o600 });
    fs.chmodSync(h.till.configFile, 0o600); // production refuses a config others can read (docs/safety.md)
    await eventually(() => core.environment().mode === 'production');

    const refused = await h.fail('sale.pay', { orderId: orderId(), amountKop: 10_000, card: card('OK'), paymentType: 'SBP' });
    expect(refused.key).toBe('shift.environment_changed');
    expect(refused.ru).toContain('закройте смену');
    expect((await h.call('status.get', {})).shift).toMatchObject({ environment: 'test', environmentChanged: true });
    // No operation was created for the refused sale.
    expect(core.checkout.query({ limit: 50 }).filter((o) => o.kind === 'payment')).toHaveLength(1);

    const z = await h.call('shift.close', { cashier: 'Иванова' });
    expect(z.environment).toBe('test');
    await h.call('shift.open', { cashier: 'Иванова' });
    expect((await h.call('status.get', {})).shift).toMatchObject({ environment: 'production', environmentChanged: false });
    const next = await h.call('sale.pay', { orderId: orderId(), amountKop: 10_000, card: card('OK'), paymentType: 'SBP' });
    expect((await core.checkout.waitFinal(next.id, 10_000)).outcome).toBe('paid');
  });
});
