// X / Z per currency (docs/reports.md "Currencies"): rows in roubles, tenge and dollars, refunds of
// each, an extra charge, a cancel and an unfinished sale; every total is checked against an
// independent sum per currency, and no output adds two currencies together.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatMinor } from '../contract/currency';
import { printable } from '../printing/escpos';
import { computeReport, currencySection, TotalsAccumulator } from './compute';
import { reportCsv } from './csv';
import { reportPdf } from './pdf';
import type { ReportOperationRow, ShiftReport, TenderRow } from './model';
import { reportLines, reportText } from './text';

let seq = 0;
function row(o: Partial<ReportOperationRow> & Pick<ReportOperationRow, 'kind' | 'provider' | 'currency' | 'amountKop'>): ReportOperationRow {
  seq += 1;
  const id = o.id ?? `op-${seq}`;
  return {
    id, parentId: null, shiftId: 1, orderId: `o-${seq}`, isFinal: true, outcome: o.kind === 'refund' ? 'refunded' : o.kind === 'cancel' ? 'canceled' : 'paid',
    phase: 'done', requestId: `rq-${seq}`, transactionId: `tx-${seq}`, refTransactionId: null, paymentType: null, errorCode: null,
    createdAt: `2026-11-30T09:${String(seq).padStart(2, '0')}:00.000Z`, finishedAt: null, slip: null, parent: null, ...o,
  };
}
const parentOf = { shiftId: 1, transactionId: 'tx', paymentType: null };

// RUB (kopecks): Koshelek 1 000,00 paid, 150,50 refunded; a terminal card 250,00; a cancel of a failed sale.
// KZT (tiyn): Halyk 12 345,67 paid, 2 345,67 refunded; an extra charge 100,00; a refund of it 100,00.
// USD (cents): extpay PayPal 49,99 paid, 9,99 refunded; a rejected payment 10,00; one unfinished 5,00.
const rows: ReportOperationRow[] = [
  row({ id: 'rub-pay', kind: 'payment', provider: 'koshelek', currency: 'RUB', amountKop: 100_000, paymentType: 'SBP' }),
  row({ id: 'kzt-pay', kind: 'payment', provider: 'halyk', currency: 'KZT', amountKop: 1_234_567, paymentType: 'card_foreign' }),
  row({ id: 'usd-pay', kind: 'payment', provider: 'extpay', currency: 'USD', amountKop: 4_999, paymentType: 'paypal' }),
  row({ kind: 'refund', provider: 'koshelek', currency: 'RUB', amountKop: 15_050, parentId: 'rub-pay', parent: { ...parentOf, paymentType: 'SBP' } }),
  row({ kind: 'refund', provider: 'halyk', currency: 'KZT', amountKop: 234_567, parentId: 'kzt-pay', parent: { ...parentOf, paymentType: 'card_foreign' } }),
  row({ kind: 'refund', provider: 'extpay', currency: 'USD', amountKop: 999, parentId: 'usd-pay', parent: { ...parentOf, paymentType: 'paypal' } }),
  row({ id: 'kzt-extra', kind: 'payment', provider: 'halyk', currency: 'KZT', amountKop: 10_000, parentId: 'kzt-pay', parent: { ...parentOf, paymentType: 'card_foreign' } }),
  row({ kind: 'refund', provider: 'halyk', currency: 'KZT', amountKop: 10_000, parentId: 'kzt-extra', parent: { ...parentOf, paymentType: 'card_foreign' } }),
  row({ kind: 'payment', provider: 'terminal', currency: 'RUB', amountKop: 25_000, paymentType: 'card' }),
  row({ id: 'rub-failed', kind: 'payment', provider: 'koshelek', currency: 'RUB', amountKop: 7_000, outcome: 'canceled', paymentType: 'SBP' }),
  row({ kind: 'cancel', provider: 'koshelek', currency: 'RUB', amountKop: 7_000, parentId: 'rub-failed', parent: { ...parentOf, paymentType: 'SBP' } }),
  row({ kind: 'payment', provider: 'extpay', currency: 'USD', amountKop: 1_000, outcome: 'rejected', paymentType: 'paypal' }),
  row({ id: 'usd-open', kind: 'payment', provider: 'extpay', currency: 'USD', amountKop: 500, isFinal: false, outcome: null, paymentType: 'paypal' }),
];
const tenders: TenderRow[] = [{ id: 1, kind: 'cash', direction: 'sale', amountKop: 30_000, note: '', cashier: 'И', createdAt: '2026-11-30T10:00:00.000Z' }];

function report(operations: readonly ReportOperationRow[] = rows): ShiftReport {
  return computeReport({
    type: 'x', zNumber: null, generatedAt: '2026-11-30T12:00:00.000Z',
    shift: { id: 1, openedAt: '2026-11-30T06:00:00.000Z', openedBy: 'Иванова', closedAt: null, closedBy: null },
    till: { terminalId: 'POS-1', storeId: 's', storeName: 'Магазин' }, operations, tenders,
  });
}

/** The independent sum: per currency, paid payments in, refunds made out. */
function ledger(currency: string) {
  const mine = rows.filter((r) => r.currency === currency && r.isFinal);
  const sum = (f: (r: ReportOperationRow) => boolean) => mine.filter(f).reduce((s, r) => s + r.amountKop, 0);
  return { in: sum((r) => r.kind === 'payment' && r.outcome === 'paid'), out: sum((r) => r.kind === 'refund' && r.outcome === 'refunded') };
}

describe('report totals per currency', () => {
  it('one section per currency, the till\'s first, each summing only its own rows', () => {
    const r = report();
    expect(r.currencies.map((c) => c.currency)).toEqual(['RUB', 'KZT', 'USD']);
    for (const currency of ['RUB', 'KZT', 'USD']) {
      const c = currencySection(r, currency);
      const l = ledger(currency);
      const tendersNet = currency === 'RUB' ? 30_000 : 0;
      expect(c?.totals).toEqual({
        electronicInKop: l.in, electronicOutKop: l.out, electronicNetKop: l.in - l.out, tendersNetKop: tendersNet, tillNetKop: l.in - l.out + tendersNet,
      });
      // the section's lines add up to its net: the lines carry their currency
      expect(r.operations.filter((x) => x.currency === currency).reduce((s, x) => s + x.signedKop, 0)).toBe(l.in - l.out);
    }
    expect(currencySection(r, 'RUB')?.totals).toMatchObject({ electronicInKop: 125_000, electronicOutKop: 15_050, tillNetKop: 139_950 });
    expect(currencySection(r, 'KZT')?.totals).toMatchObject({ electronicInKop: 1_244_567, electronicOutKop: 244_567, tillNetKop: 1_000_000 });
    expect(currencySection(r, 'USD')?.totals).toMatchObject({ electronicInKop: 4_999, electronicOutKop: 999, tillNetKop: 4_000 });
  });

  it('counts, refunds, cancels and unresolved stay in their currency', () => {
    const r = report();
    const rub = currencySection(r, 'RUB');
    const kzt = currencySection(r, 'KZT');
    const usd = currencySection(r, 'USD');
    expect(rub?.byKind.payment).toMatchObject({ all: { count: 3, amountKop: 132_000 }, succeeded: { count: 2, amountKop: 125_000 }, notSucceeded: { count: 1, amountKop: 7_000 } });
    expect(rub?.byKind.cancel.succeeded).toEqual({ count: 1, amountKop: 7_000 });
    expect(rub?.byKind.refund.succeeded).toEqual({ count: 1, amountKop: 15_050 });
    expect(kzt?.byKind.payment.succeeded).toEqual({ count: 2, amountKop: 1_244_567 });
    expect(kzt?.byKind.refund.succeeded).toEqual({ count: 2, amountKop: 244_567 });
    expect(kzt?.byKind.cancel.all).toEqual({ count: 0, amountKop: 0 });
    expect(usd?.byKind.payment).toMatchObject({ succeeded: { count: 1, amountKop: 4_999 }, notSucceeded: { count: 1, amountKop: 1_000 }, unresolved: { count: 1, amountKop: 500 } });
    expect(usd?.byKind.refund.succeeded).toEqual({ count: 1, amountKop: 999 });
    expect(r.unresolved).toEqual(['usd-open']);
    expect(kzt?.byPaymentType).toEqual([{ paymentType: 'card_foreign', provider: 'halyk', payments: { count: 2, amountKop: 1_244_567 }, refunds: { count: 2, amountKop: 244_567 }, netKop: 1_000_000 }]);
    expect(rub?.tenders.map((t) => [t.kind, t.netKop])).toEqual([['cash', 30_000]]);
    expect(kzt?.tenders).toEqual([]);
  });

  it('a shift in roubles only has one section; an empty shift still has the till\'s, at zero', () => {
    expect(report(rows.filter((r) => r.currency === 'RUB')).currencies.map((c) => c.currency)).toEqual(['RUB']);
    const empty = computeReport({
      type: 'x', zNumber: null, generatedAt: 'x', shift: { id: 1, openedAt: 'x', openedBy: 'x', closedAt: null, closedBy: null },
      till: { terminalId: '', storeId: '', storeName: '' }, operations: [], tenders: [],
    });
    expect(empty.currencies).toHaveLength(1);
    expect(empty.currencies[0]).toMatchObject({ currency: 'RUB', totals: { tillNetKop: 0 } });
    // a till with only tenge sales: the rouble section (cash) is still first
    expect(report(rows.filter((r) => r.currency === 'KZT')).currencies.map((c) => c.currency)).toEqual(['RUB', 'KZT']);
  });

  it('the SQL-grouped path (Z close) gives the same sections as the row-by-row one', () => {
    const acc = new TotalsAccumulator();
    // groups in first-seen order, as GROUPS_SQL gives them
    for (const r of rows) {
      acc.add({
        kind: r.kind, provider: r.provider, isFinal: r.isFinal, outcome: r.outcome, paymentType: r.paymentType ?? r.parent?.paymentType ?? null,
        crossShift: false, currency: r.currency, count: 1, amountKop: r.amountKop,
      });
    }
    expect(acc.result(report().currencies[0]?.tenders ?? []).currencies).toEqual(report().currencies);
  });
});

describe('outputs per currency', () => {
  const r = report();

  it('text: a block per currency, every amount in its own sign, no cross-currency total', () => {
    const text = reportText(r, 100);
    expect(text).toContain('ВАЛЮТА: рубли (RUB)');
    expect(text).toContain('ВАЛЮТА: тенге (KZT)');
    expect(text).toContain('ВАЛЮТА: доллары США (USD)');
    expect(text).toMatch(/ИТОГО ПО КАССЕ, RUB +1\u00a0399,50\u00a0₽/);
    expect(text).toMatch(/ИТОГО ПО КАССЕ, KZT +10\u00a0000,00\u00a0₸/);
    expect(text).toMatch(/ИТОГО ПО КАССЕ, USD +40,00\u00a0\$/);
    // each operation line in its currency
    expect(text).toContain('12\u00a0345,67\u00a0₸');
    expect(text).toContain('−9,99\u00a0$');
    expect(text).toContain('−150,50\u00a0₽');
    // the currency-blind sum of all three would be 1 399,50 + 10 000,00 + 40,00
    expect(text).not.toContain('11\u00a0439,50');
    // blocks in order: RUB, KZT, USD
    expect(text.indexOf('(RUB)')).toBeLessThan(text.indexOf('(KZT)'));
    expect(text.indexOf('(KZT)')).toBeLessThan(text.indexOf('(USD)'));
  });

  it('receipt paper (32 columns, CP866): tenge prints as «тг», keeping the columns', () => {
    const lines = reportLines(r, { width: 32, summaryOnly: true }).map((l) => printable(l.text));
    const kzt = lines.find((l) => l.startsWith('ИТОГО ПО КАССЕ, KZT'));
    expect(kzt).toBeDefined();
    expect(kzt).toMatch(/10 000,00тг$/);
    expect(lines.every((l) => l.length <= 32)).toBe(true);
    expect(lines.join('\n')).not.toMatch(/[₸₽]/);
  });

  it('CSV: each row names its currency', () => {
    const [head, ...data] = reportCsv(r).slice(1).split('\r\n').filter((l) => l !== '');
    const cols = head?.split(';') ?? [];
    const at = (name: string) => cols.indexOf(name);
    const cells = data.map((l) => l.split(';'));
    const byId = (id: string) => cells.find((c) => c[at('ID операции')] === id);
    expect(byId('kzt-pay')?.[at('Валюта')]).toBe('KZT');
    expect(byId('kzt-pay')?.[at('Сумма')]).toBe('12345,67');
    expect(byId('usd-pay')?.[at('Валюта')]).toBe('USD');
    expect(byId('tender-1')?.[at('Валюта')]).toBe('RUB');
  });

  it('PDF: each currency block with its own sign (pdftotext reads ₸ and $ back)', async () => {
    const pdf = await reportPdf(r);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-currency-pdf-'));
    try {
      const file = path.join(dir, 'x.pdf');
      fs.writeFileSync(file, pdf);
      const text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
      expect(text).toMatch(/ИТОГО ПО КАССЕ, KZT\s+10\s000,00\s₸/);
      expect(text).toMatch(/ИТОГО ПО КАССЕ, USD\s+40,00\s\$/);
      expect(text).toMatch(/ИТОГО ПО КАССЕ, RUB\s+1\s399,50\s₽/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('formatMinor: minor units to two decimals with the currency\'s sign', () => {
    expect(formatMinor(123_456, 'KZT')).toBe('1\u00a0234,56\u00a0₸');
    expect(formatMinor(-5, 'USD')).toBe('−0,05\u00a0$');
    expect(formatMinor(100, 'EUR')).toBe('1,00\u00a0EUR');
    expect(formatMinor(-123_456, 'KZT', 'plain')).toBe('-1234.56');
  });
});
