import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openJournal, type Journal } from '../journal/database';
import { shiftConfigSchema } from '../shifts/config';
import { ShiftService } from '../shifts/service';
import { insertOperation } from '../shifts/fixtures';
import type { RefColumn, ShiftReport } from './model';
import { csvColumns, reportCsv } from './csv';
import { renderLinesPdf, reportPdf } from './pdf';
import { reportLines, reportText } from './text';
import { loadReceiptSlip, receiptBlock, receiptBlockLines } from './receipt';

let dir: string;
let journal: Journal;
let z: ShiftReport;
let x2: ShiftReport;

// Two providers' registered report refs, in config order: a wallet's two ids, then a card terminal's.
const REF_COLUMNS: RefColumn[] = [
  { key: 'payRef', label: 'payRef' }, { key: 'bankCode', label: 'Код банка' }, { key: 'rrn', label: 'RRN' }, { key: 'authCode', label: 'Код авторизации' },
];
const CSV_HEADER = csvColumns(REF_COLUMNS);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-reports-'));
  journal = openJournal(path.join(dir, 'journal.db'));
  let clock = new Date('2025-03-03T06:00:00.000Z');
  const service = new ShiftService(journal, () => shiftConfigSchema.parse({}), {
    now: () => clock, till: () => ({ terminalId: 'POS-01', storeId: 'store-1', storeName: 'Магазин «Ромашка»' }), refColumns: () => REF_COLUMNS,
  });
  service.open('Иванова А.');
  const at = (m: number): string => new Date(clock.getTime() + m * 60_000).toISOString();
  insertOperation(journal.sqlite, {
    id: 'pay-sbp', kind: 'payment', shiftId: 1, orderId: '000123-20250303-1', amountKop: 142_45, outcome: 'paid', transactionId: 'f9a59682-3d05-4af6-8308-2c1f1665d733',
    paymentType: 'SBP', createdAt: at(1), requestId: '0b7d1f2e-0000-4000-8000-000000000001',
    slip: { paymentTransactionId: 'f9a59682-3d05-4af6-8308-2c1f1665d733', paymentType: 'SBP', refs: { merchantRef: 'M-1', payRef: 'BD10003K5L8QRC', bankCode: '4716' } },
  });
  insertOperation(journal.sqlite, {
    id: 'pay-card', kind: 'payment', provider: 'terminal', shiftId: 1, orderId: 'ord-card', amountKop: 10_00, outcome: 'paid', transactionId: 'tx-card', paymentType: 'card',
    createdAt: at(1.5), slip: { paymentTransactionId: 'tx-card', paymentType: 'card', refs: { authCode: 'A1B2', rrn: '123456789012' } },
  });
  insertOperation(journal.sqlite, {
    id: 'pay-dol', kind: 'payment', shiftId: 1, orderId: 'ord;2"x', amountKop: 5_000_00, outcome: 'paid', transactionId: 'tx-dol', paymentType: 'DOLYAME', createdAt: at(2),
    slip: { paymentTransactionId: 'tx-dol', paymentType: 'DOLYAME' },
  });
  insertOperation(journal.sqlite, { id: 'pay-rej', kind: 'payment', shiftId: 1, orderId: '=cmd', amountKop: 300_00, outcome: 'rejected', transactionId: 'tx-rej', paymentType: 'SBP', errorCode: 'NOT_ENOUGH_LIMIT_TO_PAY', createdAt: at(3) });
  insertOperation(journal.sqlite, {
    id: 'ref-1', kind: 'refund', parentId: 'pay-sbp', shiftId: 1, orderId: '000123-20250303-1', amountKop: 42_45, outcome: 'refunded', transactionId: 'f9a59682-3d05-4af6-8308-2c1f1665d733',
    refTransactionId: 'rtx-1', createdAt: at(4), slip: { paymentTransactionId: 'f9a59682-3d05-4af6-8308-2c1f1665d733', refundTransactionId: 'rtx-1', paymentType: 'SBP', refs: { payRef: 'BD10003K5L8QRC', bankCode: '4716' } },
  });
  service.recordTender({ kind: 'cash', amountKop: 250_00, direction: 'sale', note: 'наличные; сдача 50' });
  clock = new Date('2025-03-03T18:00:00.000Z');
  z = service.close('Петров П.');
  clock = new Date('2025-03-04T06:00:00.000Z');
  service.open('Петров П.');
  insertOperation(journal.sqlite, { id: 'ref-2', kind: 'refund', parentId: 'pay-dol', shiftId: 2, orderId: 'ord;2"x', amountKop: 1_000_00, outcome: 'refunded', transactionId: 'tx-dol', refTransactionId: 'rtx-2', createdAt: at(5) });
  insertOperation(journal.sqlite, { id: 'open-1', kind: 'payment', shiftId: 2, orderId: 'o-open', amountKop: 10_00, isFinal: false, paymentType: 'SBP', createdAt: at(6) });
  x2 = service.xReport();
});

afterAll(() => {
  journal.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('text output', () => {
  it('lays out totals and every §7.2 field, and never exceeds the width', () => {
    for (const width of [32, 48, 100]) {
      const lines = reportLines(z, { width });
      for (const l of lines) expect(l.text.length, `${width}: ${l.text}`).toBeLessThanOrEqual(width);
    }
    const text = reportText(z, 100);
    expect(text).toContain('Z-ОТЧЁТ № 1');
    expect(text).toMatch(/ИТОГО ПО КАССЕ\s+5\u00a0360,00\u00a0₽/);
    for (const v of ['000123-20250303-1', 'f9a59682-3d05-4af6-8308-2c1f1665d733', 'rtx-1', '0b7d1f2e-0000-4000-8000-000000000001', 'payRef=BD10003K5L8QRC', 'Код банка=4716', 'RRN=123456789012', 'Код авторизации=A1B2', 'NOT_ENOUGH_LIMIT_TO_PAY']) expect(text).toContain(v);
    // The columns in their order, with labels; ids no column asks for are not printed.
    const sbpIds = text.split('\n').find((l) => l.includes('payRef=')) ?? '';
    expect(sbpIds.indexOf('payRef=')).toBeLessThan(sbpIds.indexOf('Код банка='));
    expect(text).not.toContain('M-1');
    const narrow = reportText(z, 32);
    for (const v of ['payRef: BD10003K5L8QRC', 'Код банка: 4716', 'RRN: 123456789012', 'Код авторизации:']) expect(narrow).toContain(v);
    expect(narrow).not.toMatch(/RRN: \n|RRN: —/);
    // The same shift without refColumns shows no provider ids at all.
    expect(reportText({ ...z, refColumns: [] }, 100)).not.toContain('BD10003K5L8QRC');
    const x = reportText(x2, 48);
    expect(x).toContain('X-ОТЧЁТ');
    expect(x).toContain('оплата из смены: 1');
    expect(x).toContain('НЕ ЗАВЕРШЕНО: 1');
  });
});

describe('CSV', () => {
  it('is UTF-8 with BOM, ;-separated, with the expected columns and one row per operation and tender', () => {
    const csv = reportCsv(z);
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const lines = csv.slice(1).split('\r\n').filter((l) => l !== '');
    expect(lines[0]?.split(';')).toEqual(CSV_HEADER);
    expect(CSV_HEADER.slice(13, 18)).toEqual(['paymentType', 'payRef', 'Код банка', 'RRN', 'Код авторизации']);
    expect(lines).toHaveLength(1 + 5 + 1);
    // a minimal RFC-4180 parser with ';' to prove quoting round-trips
    const parse = (line: string): string[] => {
      const cells: string[] = [];
      let cur = '';
      let quoted = false;
      for (let i = 0; i < line.length; i += 1) {
        const c = line[i] as string;
        if (quoted) {
          if (c === '"' && line[i + 1] === '"') { cur += '"'; i += 1; } else if (c === '"') quoted = false; else cur += c;
        } else if (c === '"') quoted = true;
        else if (c === ';') { cells.push(cur); cur = ''; } else cur += c;
      }
      cells.push(cur);
      return cells;
    };
    const rows = lines.slice(1).map(parse);
    for (const r of rows) expect(r).toHaveLength(CSV_HEADER.length);
    const col = (name: string): number => CSV_HEADER.indexOf(name);
    const sbp = rows.find((r) => r[col('ID операции')] === 'pay-sbp') as string[];
    expect(sbp[col('Сумма')]).toBe('142,45');
    expect(sbp[col('Валюта')]).toBe('RUB');
    expect(sbp[col('payRef')]).toBe('BD10003K5L8QRC');
    expect(sbp[col('Код банка')]).toBe('4716');
    expect([sbp[col('RRN')], sbp[col('Код авторизации')]]).toEqual(['', '']);
    const card = rows.find((r) => r[col('ID операции')] === 'pay-card') as string[];
    expect([card[col('payRef')], card[col('RRN')], card[col('Код авторизации')], card[col('Провайдер')]]).toEqual(['', '123456789012', 'A1B2', 'terminal']);
    expect(rows.find((r) => r[col('ID операции')] === 'tender-1')?.[col('Провайдер')]).toBe('касса');
    expect(sbp[col('requestId')]).toBe('0b7d1f2e-0000-4000-8000-000000000001');
    expect(rows.find((r) => r[col('ID операции')] === 'pay-dol')?.[col('orderId')]).toBe('ord;2"x');
    expect(rows.find((r) => r[col('ID операции')] === 'pay-rej')?.[col('orderId')]).toBe("'=cmd");
    expect(rows.find((r) => r[col('ID операции')] === 'ref-1')?.[col('Движение')]).toBe('-42,45');
    const sum = rows.reduce((s, r) => s + Math.round(Number((r[col('Движение')] as string).replace(',', '.')) * 100), 0);
    expect(sum).toBe(z.currencies[0]!.totals.tillNetKop);
  });
});

describe('PDF', () => {
  it('renders Cyrillic text that pdftotext extracts', async () => {
    const pdf = await reportPdf(z);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const file = path.join(dir, 'z1.pdf');
    fs.writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
    expect(text).toContain('Z-ОТЧЁТ № 1');
    expect(text).toContain('Магазин «Ромашка»');
    expect(text).toMatch(/ИТОГО ПО КАССЕ\s+5\s360,00\s₽/);
    expect(text).toContain('payRef=BD10003K5L8QRC');
    expect(text).toContain('Код банка=4716');
    expect(text).toContain('RRN=123456789012');
    expect(text).toContain('requestId=0b7d1f2e-0000-4000-8000-000000000001');
    expect(text).toContain('paymentTransactionId=f9a59682-3d05-4af6-8308-2c1f1665d733');
    expect(text).toContain('refundTransactionId=rtx-1');
    expect(text).toContain('Наличные');
  });
});

describe('PDF pages', () => {
  it('places every line once, in order, over as many pages as needed (no line lost at a page break)', async () => {
    const lines = [
      { text: 'ЗАГОЛОВОК', large: true, bold: true, align: 'center' as const },
      ...Array.from({ length: 700 }, (_, i) => ({ text: `строка ${String(i).padStart(4, '0')} id-${(i * 7919).toString(36)}` })),
    ];
    const file = path.join(dir, 'pages.pdf');
    fs.writeFileSync(file, await renderLinesPdf(lines, { title: 't' }));
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))?.[1]);
    expect(pages).toBeGreaterThan(5);
    const text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
    const found = text.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('строка'));
    expect(found).toEqual(lines.slice(1).map((l) => l.text));
    expect(text).toContain('ЗАГОЛОВОК');
  });
});

describe('the provider block on the receipt (§2)', () => {
  const WALLET_REFS: RefColumn[] = [{ key: 'payRef', label: 'ID операции СБП' }, { key: 'bankCode', label: 'Код банка' }];
  it('renders the payment and refund blocks from the saved slip, ids under the provider’s labels', () => {
    const pay = loadReceiptSlip(journal.sqlite, 'pay-sbp');
    expect(pay).not.toBeNull();
    const block = receiptBlock(pay as NonNullable<typeof pay>, { providerTitle: 'Пэй Плюс', refColumns: WALLET_REFS });
    expect(block.title).toBe('Пэй Плюс: оплата');
    expect(block.rows.map((r) => r.parameter)).toEqual(['orderId', 'paymentTransactionId', 'paymentType', 'payRef', 'bankCode']);
    expect(block.rows.slice(3).map((r) => [r.label, r.value])).toEqual([['ID операции СБП', 'BD10003K5L8QRC'], ['Код банка', '4716']]);
    const lines = receiptBlockLines(block, 32).map((l) => l.text);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(32);
    expect(lines.join('\n')).toContain('f9a59682-3d05-4af6-8308-2c1f1665');
    expect(lines.join('\n')).toContain('СБП');
    const refund = receiptBlock(loadReceiptSlip(journal.sqlite, 'ref-1') as NonNullable<ReturnType<typeof loadReceiptSlip>>, { refColumns: WALLET_REFS });
    expect(refund.title.endsWith(': возврат')).toBe(true);
    expect(refund.rows.map((r) => [r.parameter, r.value])).toEqual([
      ['orderId', '000123-20250303-1'], ['refundTransactionId', 'rtx-1'], ['paymentType', 'СБП'], ['payRef', 'BD10003K5L8QRC'], ['bankCode', '4716'],
    ]);
    // A slip without those ids prints none (no empty rows), and a block without columns prints no ids.
    const dolyame = receiptBlock(loadReceiptSlip(journal.sqlite, 'pay-dol') as NonNullable<ReturnType<typeof loadReceiptSlip>>, { refColumns: WALLET_REFS });
    expect(dolyame.rows.map((r) => r.parameter)).toEqual(['orderId', 'paymentTransactionId', 'paymentType']);
    expect(receiptBlock(pay as NonNullable<typeof pay>).rows.map((r) => r.parameter)).toEqual(['orderId', 'paymentTransactionId', 'paymentType']);
    const card = receiptBlock(loadReceiptSlip(journal.sqlite, 'pay-card') as NonNullable<ReturnType<typeof loadReceiptSlip>>, { refColumns: [{ key: 'rrn', label: 'RRN' }] });
    expect(card.title).toBe('terminal: оплата');
    expect(card.rows.at(-1)).toEqual({ label: 'RRN', parameter: 'rrn', value: '123456789012' });
    expect(loadReceiptSlip(journal.sqlite, 'nope')).toBeNull();
  });
});
