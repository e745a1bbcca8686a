// report.print / report.reprint on the receipt printer: the report is made (or read back from the output
// history), checked against the contract and rendered as ESC/POS in the report worker; the core records the
// output, sends the bytes and answers. The bytes are those the core-thread path made, the core's loop keeps
// turning meanwhile, and a report that cannot be made fails closed (nothing printed, no "printed" record).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { reportEscpos, ReportPrinter } from '../printing/service';
import { decodeStoredReport, encodeStoredReport } from '../reports/stored';
import { ReportWorker } from '../reports/worker';
import { generateShiftOperations, insertOperation, newLedger, rng } from '../shifts/fixtures';
import { startApiHarness, type ApiHarness } from '../../test/support/api-session';
import { loopTurnsDuring } from '../../test/support/loop-turns';

let harness: ApiHarness | null = null;
afterEach(async () => {
  vi.restoreAllMocks();
  await harness?.close();
  harness = null;
});

interface FakePrinter {
  /** Set: the device refuses every write with this message. */
  failing: string | null;
  written: Buffer[];
}

async function start(printerConfig: Record<string, unknown> = {}): Promise<{ h: ApiHarness; printer: FakePrinter }> {
  const printer: FakePrinter = { failing: null, written: [] };
  harness = await startApiHarness(
    { extra: { printer: { enabled: true, transport: 'device', path: 'fake-printer', widthMm: 58, ...printerConfig } } },
    {
      printerTransport: () => ({
        target: 'fake-printer',
        async write(data) {
          if (printer.failing !== null) throw new Error(printer.failing);
          printer.written.push(Buffer.from(data));
        },
      }),
    },
  );
  return { h: harness, printer };
}

/**
 * Shift 1 closed (Z 1) and shift 2 open, each mixed: generated payments, refunds (full, partial, rejected) and
 * cancels of two providers, a tenge payment with slip ids, cash and card-terminal tenders (one voided);
 * shift 2 also has a payment still in flight.
 */
async function mixedShifts(h: ApiHarness, first: number, second: number): Promise<void> {
  const sqlite = h.till.core.journal.sqlite;
  const shift1 = await h.call('shift.open', { cashier: 'Менеджер' });
  generateShiftOperations(sqlite, shift1.id, first, rng(11), [], Date.parse(shift1.openedAt), newLedger());
  insertOperation(sqlite, {
    id: 'kzt-1', kind: 'payment', shiftId: shift1.id, orderId: 'ORD-«KZ»—1', amountKop: 12_345_67, currency: 'KZT', outcome: 'paid',
    transactionId: 'tx-kzt-1', paymentType: 'SBP', createdAt: new Date(Date.parse(shift1.openedAt) + 500).toISOString(),
    slip: { paymentTransactionId: 'tx-kzt-1', paymentType: 'SBP', refs: { qrcId: 'QRC№1…', kzo: '4716' } },
  });
  await h.call('shift.tender', { kind: 'cash', amountKop: 50_000, direction: 'sale', note: 'наличные' });
  const wrong = await h.call('shift.tender', { kind: 'card_terminal', amountKop: 7_000, direction: 'refund' });
  h.till.core.shifts.voidTender({ tenderId: wrong.id, voidedBy: 'Менеджер', reason: 'ошибочный ввод' });
  await h.call('shift.close', { cashier: 'Менеджер' });
  const shift2 = await h.call('shift.open', { cashier: 'Кассир Ёлкина' });
  generateShiftOperations(sqlite, shift2.id, second, rng(12), [], Date.parse(shift2.openedAt) + 1_000, newLedger());
  insertOperation(sqlite, {
    id: 'in-flight', kind: 'payment', shiftId: shift2.id, orderId: 'ORD-wait', amountKop: 990, isFinal: false, outcome: null,
    createdAt: new Date(Date.parse(shift2.openedAt) + 1_500).toISOString(),
  });
  await h.call('shift.tender', { kind: 'other', amountKop: 1_234, direction: 'sale' });
}

type OutputRow = { id: number; report_type: string; z_number: number | null; status: string; error: string | null; body_json: string | null };
const outputs = (h: ApiHarness): OutputRow[] =>
  h.till.core.journal.sqlite.prepare("SELECT id, report_type, z_number, status, error, body_json FROM report_outputs WHERE format = 'escpos' ORDER BY id").all() as OutputRow[];

/** The core-thread path's spies: none of them may run while the worker serves the print. */
function onCoreSpies(h: ApiHarness): (() => number)[] {
  const shifts = h.till.core.shifts;
  const spies = [
    vi.spyOn(shifts, 'xReport'), vi.spyOn(shifts, 'zReport'), vi.spyOn(shifts, 'zReportForShift'), vi.spyOn(shifts, 'latestZ'),
    vi.spyOn(ReportPrinter.prototype, 'reportOf'), vi.spyOn(ReportPrinter.prototype, 'print'),
  ];
  return spies.map((s) => () => s.mock.calls.length);
}

describe('ESC/POS prints made in the report worker', () => {
  it('X and Z, printed and reprinted: the bytes and snapshots of the core-thread path, none of it made on the core', async () => {
    const { h, printer } = await start();
    await mixedShifts(h, 400, 60);
    const shifts = h.till.core.shifts;
    const config = h.till.core.config.current().printer;
    const onCore = onCoreSpies(h);

    const x = await h.call('report.print', { type: 'x' });
    const z = await h.call('report.print', { type: 'z', number: 1 });
    const xAgain = await h.call('report.reprint', { outputId: x.outputId });
    const zAgain = await h.call('report.reprint', { outputId: z.outputId });
    expect([x, z, xAgain, zAgain].map((r) => [r.printed, r.error, r.reportType, r.shiftId, r.zNumber])).toEqual([
      [true, null, 'x', 2, null], [true, null, 'z', 1, 1], [true, null, 'x', 2, null], [true, null, 'z', 1, 1],
    ]);
    expect(onCore.map((calls) => calls())).toEqual([0, 0, 0, 0, 0, 0]);
    vi.restoreAllMocks();
    expect(printer.written).toHaveLength(4);
    const [xBytes, zBytes, xAgainBytes, zAgainBytes] = printer.written as [Buffer, Buffer, Buffer, Buffer];

    // X: the report the core computes (same moment: only generatedAt is of the moment), its snapshot and bytes.
    const rows = outputs(h);
    const snapshot = rows[0]?.body_json ?? '';
    const stored = decodeStoredReport(snapshot);
    const xHere = { ...shifts.xReport(2), generatedAt: stored.generatedAt };
    expect(xHere.operations).toHaveLength(61);
    expect(snapshot).toBe(encodeStoredReport(xHere));
    expect(xBytes.equals(reportEscpos(xHere, config))).toBe(true);
    // The reprint is the snapshot printed again (the core-thread reprint rendered the decoded snapshot).
    expect(xAgainBytes.equals(reportEscpos(stored, config))).toBe(true);
    expect(xAgainBytes.equals(xBytes)).toBe(true);
    expect(rows[2]?.body_json).toBe(snapshot);
    // Z: the stored Z read back here, in both currencies; the reprint the same bytes.
    const zHere = shifts.zReport(1);
    if (!zHere) throw new Error('no Z');
    expect(zHere.operations).toHaveLength(401);
    expect(zHere.currencies.map((c) => c.currency).sort()).toEqual(['KZT', 'RUB']);
    expect(zBytes.equals(reportEscpos(zHere, config))).toBe(true);
    expect(zAgainBytes.equals(zBytes)).toBe(true);
    expect(rows.map((r) => [r.report_type, r.z_number, r.status, r.body_json === null])).toEqual([
      ['x', null, 'done', false], ['z', 1, 'done', true], ['x', null, 'done', false], ['z', 1, 'done', true],
    ]);

    // A worker that cannot serve: the core-thread path, as before — the same bytes through the same API.
    const stopped = vi.spyOn(ReportWorker.prototype, 'escposReport').mockRejectedValue(new Error('the report worker stopped (exit code 1)'));
    const corePrint = vi.spyOn(ReportPrinter.prototype, 'print');
    const zFallback = await h.call('report.print', { type: 'z', shiftId: 1 });
    const zReprintFallback = await h.call('report.reprint', { outputId: z.outputId });
    const xReprintFallback = await h.call('report.reprint', { outputId: x.outputId });
    expect([zFallback.printed, zReprintFallback.printed, xReprintFallback.printed]).toEqual([true, true, true]);
    expect(stopped).toHaveBeenCalledTimes(3);
    expect(corePrint).toHaveBeenCalledTimes(3);
    expect(printer.written[4]?.equals(zBytes)).toBe(true);
    expect(printer.written[5]?.equals(zBytes)).toBe(true);
    expect(printer.written[6]?.equals(xBytes)).toBe(true);
    expect(outputs(h).at(-1)?.body_json).toBe(snapshot);
  });

  it('the core\'s loop keeps turning while a big X and Z are printed and reprinted', async () => {
    const { h, printer } = await start({ widthMm: 80 });
    await mixedShifts(h, 4_000, 4_000);
    await h.call('report.x', {}); // the worker is up
    const onCore = onCoreSpies(h);
    for (const call of [
      () => h.call('report.print', { type: 'x' }),
      () => h.call('report.print', { type: 'z' }),
    ]) {
      const [printed, turns] = await loopTurnsDuring(call);
      expect(printed.printed).toBe(true);
      expect(turns).toBeGreaterThan(0);
      const [again, reprintTurns] = await loopTurnsDuring(() => h.call('report.reprint', { outputId: printed.outputId }));
      expect(again.printed).toBe(true);
      expect(reprintTurns).toBeGreaterThan(0);
    }
    expect(onCore.map((calls) => calls())).toEqual([0, 0, 0, 0, 0, 0]);
    expect(printer.written).toHaveLength(4);
    // 4,000 lines and more on paper: each a few hundred kilobytes of ESC/POS.
    for (const bytes of printer.written) expect(bytes.length).toBeGreaterThan(200_000);
  });

  it('a printer that fails keeps a failed, reprintable record (no "printed"); the reprint prints the same bytes', async () => {
    const { h, printer } = await start();
    await mixedShifts(h, 200, 40);
    const config = h.till.core.config.current().printer;
    printer.failing = 'paper out';
    const failedX = await h.call('report.print', { type: 'x' });
    const failedZ = await h.call('report.print', { type: 'z' });
    for (const failed of [failedX, failedZ]) {
      expect(failed.printed).toBe(false);
      expect(failed.error).toMatchObject({ key: 'print.failed', details: 'paper out' });
    }
    expect(outputs(h).map((r) => [r.id, r.status, r.error])).toEqual([[failedX.outputId, 'failed', 'paper out'], [failedZ.outputId, 'failed', 'paper out']]);
    const printerHistory = new ReportPrinter(h.till.core.journal, () => config);
    expect(printerHistory.failedPrints().map((r) => r.id).sort()).toEqual([failedX.outputId, failedZ.outputId].sort());

    printer.failing = null;
    expect((await h.call('report.reprint', { outputId: failedX.outputId })).printed).toBe(true);
    expect((await h.call('report.reprint', { outputId: failedZ.outputId })).printed).toBe(true);
    const snapshot = outputs(h)[0]?.body_json ?? '';
    expect(printer.written[0]?.equals(reportEscpos(decodeStoredReport(snapshot), config))).toBe(true);
    const z = h.till.core.shifts.zReport(1);
    if (!z) throw new Error('no Z');
    expect(printer.written[1]?.equals(reportEscpos(z, config))).toBe(true);
    expect(printerHistory.failedPrints()).toEqual([]);
  });

  it('bytes the printer cannot take (unknown encoding): the same failed record and answer as the core-thread path', async () => {
    const { h, printer } = await start({ encoding: 'cp-nonexistent' });
    await mixedShifts(h, 50, 10);
    const inWorker = await h.call('report.print', { type: 'z' });
    vi.spyOn(ReportWorker.prototype, 'escposReport').mockRejectedValue(new Error('the report worker stopped'));
    const onCore = await h.call('report.print', { type: 'z' });
    vi.restoreAllMocks();
    expect(inWorker.printed).toBe(false);
    expect({ ...inWorker, outputId: 0 }).toEqual({ ...onCore, outputId: 0 });
    expect(inWorker.error).toMatchObject({ key: 'print.failed', details: "unknown printer encoding 'cp-nonexistent'" });
    expect(outputs(h).map((r) => [r.status, r.error])).toEqual([
      ['failed', "unknown printer encoding 'cp-nonexistent'"], ['failed', "unknown printer encoding 'cp-nonexistent'"],
    ]);
    expect(printer.written).toEqual([]);
  });

  it('malformed rows fail closed in the worker: a clear error, nothing sent, no record, not rebuilt on the core', async () => {
    const { h, printer } = await start();
    await mixedShifts(h, 200, 40);
    const sqlite = h.till.core.journal.sqlite;
    const x = await h.call('report.print', { type: 'x' });
    const z = await h.call('report.print', { type: 'z' });
    expect(printer.written).toHaveLength(2);
    const before = outputs(h);
    const onCore = onCoreSpies(h);

    // An X snapshot edited in the output history: refused by its versioned schema, never printed.
    // (valid JSON; the repeated key wins: an X of type "y")
    sqlite.prepare('UPDATE report_outputs SET body_json = ? WHERE id = ?').run((before[0]?.body_json ?? '').replace('"format":7', '"format":7,"type":"y"'), x.outputId);
    const badSnapshot = await h.fail('report.reprint', { outputId: x.outputId });
    expect(badSnapshot.key).toBe('report.integrity');
    sqlite.prepare('UPDATE report_outputs SET body_json = ? WHERE id = ?').run('{"format":7,', x.outputId);
    expect((await h.fail('report.reprint', { outputId: x.outputId })).key).toBe('report.integrity');

    // A row of the open shift the contract refuses: the X is not printed (it would leave an unreadable snapshot).
    sqlite.prepare("UPDATE report_operations SET currency = 'rub' WHERE id = (SELECT id FROM report_operations WHERE shift_id = 2 ORDER BY created_at LIMIT 1)").run();
    const badLine = await h.fail('report.print', { type: 'x' });
    expect(badLine.key).toBe('internal.unexpected');
    expect(badLine.details).toMatch(/X report broke the contract: operations\.\d+\.currency: invalid/);

    // A row the Z covers, edited after the close: the Z and its reprint are refused (report.integrity).
    sqlite.prepare("UPDATE report_operations SET order_id = 'edited' WHERE id = (SELECT id FROM report_operations WHERE shift_id = 1 LIMIT 1)").run();
    expect((await h.fail('report.print', { type: 'z', number: 1 })).key).toBe('report.integrity');
    expect((await h.fail('report.reprint', { outputId: z.outputId })).key).toBe('report.integrity');
    expect((await h.fail('report.reprint', { outputId: 999 })).key).toBe('report.not_found');

    expect(onCore.map((calls) => calls())).toEqual([0, 0, 0, 0, 0, 0]);
    expect(printer.written).toHaveLength(2);
    expect(outputs(h).map((r) => [r.id, r.status])).toEqual(before.map((r) => [r.id, r.status]));
  });
});
