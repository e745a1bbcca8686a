// Shift reports per currency through the real core: a Koshelek sale in roubles and a Halyk (KZ) sale in
// tenge, each partly refunded through its provider, land in one shift; the X report the renderer asks for
// (API session, the same dispatcher every shell uses) has two currency sections with exact minor-unit
// sums, the printable text shows each in its own sign, and the Z stores and reads back the same sections.
import { afterEach, describe, expect, it } from 'vitest';
import { HalykEmulator } from '../../emulators/halyk';
import { createScanPort } from '../../main/api/scan-port';
import { plainResponse } from '../../main/api/pre-serialized';
import { createApiSession } from '../../main/api/session';
import type { ApiResponse, ShiftReportDto, ZSummaryView } from '../../main/contract/api';
import { invoiceIdFor } from '../../main/payapi/halyk/adapter';
import { reportText } from '../../main/reports/text';
import { card, orderId, startTill, type Till } from '../support/till';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until<T>(f: () => T | null | undefined | false, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function data<T>(answer: ApiResponse): T {
  // report.x answers with the worker's checked text (PreSerialized): read it as the page would
  const r = plainResponse(answer);
  if (!r.ok) throw new Error(`API refused: ${JSON.stringify(r.error)}`);
  return r.data as T;
}

describe('X and Z reports per currency (RUB Koshelek + KZT Halyk in one shift)', () => {
  it('two sections with exact minor-unit sums; never one cross-currency total; the Z reads back the same', async () => {
    const kz = new HalykEmulator();
    const kzUrl = await kz.start();
    cleanups.push(() => kz.stop());
    const till: Till = await startTill({
      extra: {
        providers: ['koshelek', 'halyk'],
        halyk: {
          enabled: true, oauthUrl: kzUrl, apiUrl: kzUrl, clientId: 'test', clientSecret: 'secret', terminalId: 'terminal-1', shopId: 'shop-1',
          timing: { requestTimeoutMs: 600, pollScheduleMs: [100, 100, 200] },
        },
      },
    });
    cleanups.push(() => till.close());
    const { checkout } = till.core;
    const session = createApiSession({ core: till.core, scans: await createScanPort(till.core), shell: 'kiosk', statusTickMs: 0 });
    cleanups.push(() => session.close());
    data(await session.dispatch('shift.open', { cashier: 'Иванова' }));

    // Roubles: 123,45 ₽ paid, 23,45 ₽ refunded.
    const rub = await checkout.pay({ orderId: orderId(), amountKop: 12_345, card: card('OK'), paymentType: 'SBP' });
    expect((await checkout.waitFinal(rub.id, 15_000)).outcome).toBe('paid');
    const rubRefund = await checkout.refund({ paymentOperationId: rub.id, amountKop: 2_345 });
    expect((await checkout.waitFinal(rubRefund.id, 15_000)).outcome).toBe('refunded');

    // Tenge: 1 234,56 ₸ (123 456 tiyn) paid at Halyk, 234,56 ₸ refunded there.
    const kzt = await checkout.pay({ orderId: orderId(), amountKop: 123_456, paymentType: 'card_foreign' });
    await until(() => checkout.get(kzt.id)?.customerAction, 10_000, 'the Halyk QR');
    kz.pay(invoiceIdFor(kzt.requestId));
    expect((await checkout.waitFinal(kzt.id, 15_000)).outcome).toBe('paid');
    const kztRefund = await checkout.refund({ paymentOperationId: kzt.id, amountKop: 23_456 });
    expect((await checkout.waitFinal(kztRefund.id, 15_000)).outcome).toBe('refunded');
    // Cash in the till's currency only.
    data(await session.dispatch('shift.tender', { kind: 'cash', amountKop: 50_000, direction: 'sale' }));

    const x = data<ShiftReportDto>(await session.dispatch('report.x', {}));
    expect(x.currencies.map((c) => c.currency)).toEqual(['RUB', 'KZT']);
    const [r, k] = x.currencies;
    expect(r?.totals).toEqual({ electronicInKop: 12_345, electronicOutKop: 2_345, electronicNetKop: 10_000, tendersNetKop: 50_000, tillNetKop: 60_000 });
    expect(k?.totals).toEqual({ electronicInKop: 123_456, electronicOutKop: 23_456, electronicNetKop: 100_000, tendersNetKop: 0, tillNetKop: 100_000 });
    expect(r?.byKind.payment.succeeded).toEqual({ count: 1, amountKop: 12_345 });
    expect(r?.byKind.refund.succeeded).toEqual({ count: 1, amountKop: 2_345 });
    expect(k?.byKind.payment.succeeded).toEqual({ count: 1, amountKop: 123_456 });
    expect(k?.byKind.refund.succeeded).toEqual({ count: 1, amountKop: 23_456 });
    expect(r?.byPaymentType.map((t) => t.provider)).toEqual(['koshelek']);
    expect(k?.byPaymentType.map((t) => [t.provider, t.paymentType, t.netKop])).toEqual([['halyk', 'card_foreign', 100_000]]);
    expect(k?.tenders).toEqual([]);
    expect(x.operations.map((l) => [l.kind, l.provider, l.currency, l.amountKop])).toEqual([
      ['payment', 'koshelek', 'RUB', 12_345], ['refund', 'koshelek', 'RUB', 2_345],
      ['payment', 'halyk', 'KZT', 123_456], ['refund', 'halyk', 'KZT', 23_456],
    ]);
    // Every amount in its own sign; no line adds the two (600,00 + 1 000,00 would be 1 600,00).
    const text = reportText(x, 100);
    expect(text).toMatch(/ИТОГО ПО КАССЕ, RUB +600,00\u00a0₽/);
    expect(text).toMatch(/ИТОГО ПО КАССЕ, KZT +1\u00a0000,00\u00a0₸/);
    expect(text).toContain('1\u00a0234,56\u00a0₸');
    expect(text).not.toContain('1\u00a0600,00');

    const z = data<ShiftReportDto>(await session.dispatch('shift.close', { cashier: 'Иванова' }));
    expect(z.currencies).toEqual(x.currencies);
    const again = data<ShiftReportDto>(await session.dispatch('report.z', { number: z.zNumber ?? 0 }));
    expect(again.currencies).toEqual(x.currencies);
    expect(again.operations.map((l) => l.currency)).toEqual(['RUB', 'RUB', 'KZT', 'KZT']);
    const list = data<ZSummaryView[]>(await session.dispatch('report.list', {}));
    expect(list[0]?.tillNet).toEqual([{ currency: 'RUB', netKop: 60_000 }, { currency: 'KZT', netKop: 100_000 }]);
  });
});
