import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openJournal, type Journal } from '../journal/database';
import { shiftConfigSchema } from '../shifts/config';
import { ShiftService } from '../shifts/service';
import { insertOperation } from '../shifts/fixtures';
import { loadReceiptSlip, receiptBlock } from '../reports/receipt';
import { printerConfigSchema, type PrinterConfig } from './config';
import { CMD } from './escpos';
import { KOSHELEK_SLIP_REFS } from '../payapi/koshelek/checkout-provider';

const KOSHELEK_REPORT_REFS = [KOSHELEK_SLIP_REFS[0], KOSHELEK_SLIP_REFS[1]];
import { receiptBlockEscpos, reportEscpos, ReportPrinter } from './service';

let dir: string;
let journal: Journal;
let socat: ChildProcess;
let printerEnd: string;
let readerEnd: string;
let reader: SerialPort;
let received: Buffer[] = [];
let service: ShiftService;

async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timeout waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-print-'));
  printerEnd = path.join(dir, 'printer');
  readerEnd = path.join(dir, 'reader');
  socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${printerEnd}`, `pty,raw,echo=0,link=${readerEnd}`], { stdio: 'ignore' });
  await waitFor(() => fs.existsSync(printerEnd) && fs.existsSync(readerEnd), 5000, 'socat ptys');
  reader = new SerialPort({ path: readerEnd, baudRate: 19200 });
  await new Promise<void>((resolve, reject) => reader.on('open', resolve).on('error', reject));
  reader.on('data', (chunk: Buffer) => received.push(chunk));

  journal = openJournal(path.join(dir, 'journal.db'));
  const clock = new Date('2025-03-03T06:00:00.000Z');
  service = new ShiftService(journal, () => shiftConfigSchema.parse({}), {
    now: () => clock, till: () => ({ terminalId: 'POS-01', storeId: 'store-1', storeName: 'Магазин «Ромашка»' }), refColumns: () => KOSHELEK_REPORT_REFS,
  });
  service.open('Иванова');
  insertOperation(journal.sqlite, {
    id: 'pay-sbp', kind: 'payment', shiftId: 1, orderId: '000123-20250303-1', amountKop: 1_234_56, outcome: 'paid', transactionId: 'f9a59682-3d05-4af6-8308-2c1f1665d733',
    paymentType: 'SBP', createdAt: clock.toISOString(), slip: { paymentTransactionId: 'f9a59682-3d05-4af6-8308-2c1f1665d733', paymentType: 'SBP', refs: { qrcId: 'BD10003K5L8QRC', kzo: '4716' } },
  });
  service.recordTender({ kind: 'cash', amountKop: 100_00, direction: 'sale' });
});

afterAll(async () => {
  if (reader?.isOpen) await new Promise<void>((r) => reader.close(() => r()));
  if (socat?.pid) process.kill(socat.pid, 'SIGTERM');
  journal?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const configFor = (widthMm: 58 | 80, extra: Partial<PrinterConfig> = {}): PrinterConfig =>
  printerConfigSchema.parse({ enabled: true, path: printerEnd, widthMm, ...extra });

/** Text lines of an ESC/POS stream: commands stripped, CP866 decoded. */
function decode(bytes: Buffer): string[] {
  const text: number[] = [];
  for (let i = 0; i < bytes.length; i += 1) {
    const b = bytes[i] as number;
    if (b === 0x1b) {
      const c = bytes[i + 1];
      i += c === 0x40 ? 1 : 2; // ESC @ has no argument; ESC t/a/E/d have one
    } else if (b === 0x1d) {
      i += bytes[i + 1] === 0x56 ? 3 : 2; // GS V m n / GS ! n
    } else text.push(b);
  }
  return iconv.decode(Buffer.from(text), 'cp866').split('\n');
}

async function receive(expectedLength: number): Promise<Buffer> {
  await waitFor(() => received.reduce((n, c) => n + c.length, 0) >= expectedLength, 10_000, `${expectedLength} bytes`);
  const all = Buffer.concat(received);
  received = [];
  return all;
}

describe('ESC/POS over a pty', () => {
  for (const widthMm of [58, 80] as const) {
    it(`prints an X report at ${widthMm} mm in CP866 and the bytes arrive intact`, async () => {
      const config = configFor(widthMm);
      const printer = new ReportPrinter(journal, () => config);
      const x = service.xReport();
      const { record, cashierError } = await printer.print(x);
      expect(cashierError).toBeUndefined();
      expect(record.status).toBe('done');
      const expected = reportEscpos(x, config);
      const bytes = await receive(expected.length);
      expect(bytes.equals(expected)).toBe(true);
      expect([...bytes.subarray(0, 5)]).toEqual([...CMD.init, ...CMD.codePage(17)]);
      expect([...bytes.subarray(bytes.length - 4)]).toEqual([...CMD.cut]);
      // Cyrillic really is CP866: "Ё" = 0xF0, "О" = 0x8E
      expect(bytes.includes(Buffer.from([0x8e, 0x92, 0x97, 0xf0, 0x92]))).toBe(true);
      const lines = decode(bytes);
      const width = widthMm === 58 ? 32 : 48;
      for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(width);
      const text = lines.join('\n');
      expect(text).toContain('X-ОТЧЁТ');
      expect(text).toContain('1 234,56р.');
      expect(text).toContain('qrcId: BD10003K5L8QRC');
      expect(text).toContain('КЗО: 4716');
      expect(text).toContain('"Ромашка"');
    });
  }

  it('keeps a failed print in history and reprints it from there', async () => {
    let config = configFor(58, { path: path.join(dir, 'no-such-port'), timeoutMs: 2000 });
    const printer = new ReportPrinter(journal, () => config);
    const x = service.xReport();
    const failed = await printer.print(x);
    expect(failed.record.status).toBe('failed');
    expect(failed.cashierError?.key).toBe('print.failed');
    expect(printer.failedPrints().map((r) => r.id)).toContain(failed.record.id);
    config = configFor(58);
    const again = await printer.reprint(failed.record.id);
    expect(again.record.status).toBe('done');
    const expected = reportEscpos(x, config);
    expect((await receive(expected.length)).equals(expected)).toBe(true);
    expect(printer.failedPrints()).toEqual([]);
    expect(printer.history(1).length).toBeGreaterThanOrEqual(2);
    const off = new ReportPrinter(journal, () => printerConfigSchema.parse({}));
    expect((await off.print(x)).cashierError?.key).toBe('print.not_configured');
  });

  it('reprints a Z report from the immutable store', async () => {
    const config = configFor(80);
    const printer = new ReportPrinter(journal, () => config);
    const z = service.close('Иванова');
    const first = await printer.print(z, { summaryOnly: true });
    const bytes = await receive(1);
    await new Promise((r) => setTimeout(r, 200));
    const firstBytes = Buffer.concat([bytes, ...received]);
    received = [];
    expect(decode(firstBytes).join('\n')).toContain('Z-ОТЧЁТ N 1');
    const again = await printer.reprint(first.record.id, { summaryOnly: true });
    expect(again.record.zNumber).toBe(1);
    expect((await receive(firstBytes.length)).equals(firstBytes)).toBe(true);
  });

  it('prints the Koshelek receipt block', async () => {
    const config = configFor(58);
    const block = receiptBlock(loadReceiptSlip(journal.sqlite, 'pay-sbp') as NonNullable<ReturnType<typeof loadReceiptSlip>>, { providerTitle: 'Кошелёк Pay', refColumns: KOSHELEK_REPORT_REFS });
    const printer = new ReportPrinter(journal, () => config);
    const bytes = receiptBlockEscpos(block, config);
    await printer.printLines((await import('../reports/receipt')).receiptBlockLines(block, 32));
    const got = await receive(bytes.length - 8);
    const text = decode(got).join('\n');
    expect(text).toContain('Кошелёк Pay: оплата');
    expect(text).toContain('СБП');
    expect(text).toContain('BD10003K5L8QRC');
  });
});
