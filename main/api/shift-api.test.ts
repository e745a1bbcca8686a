// The shift and report methods through the real dispatcher, against a real core (SQLite in a temp
// folder) talking to the Koshelek emulator: what the manager's screen gets, and what it is refused.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../contract/api';
import { csvColumns } from '../reports/csv';

// What Koshelek registers as report refs (NEUTRAL.md): the X / Z and CSV show these columns.
const KOSHELEK_COLUMNS = [{ key: 'qrcId', label: 'qrcId' }, { key: 'kzo', label: 'КЗО' }];
import { card, orderId } from '../../test/support/till';
import { startApiHarness, type ApiHarness } from '../../test/support/api-session';

let harness: (ApiHarness & { printer: { failing: boolean; written: Buffer[] } }) | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

async function start(options: Parameters<typeof startApiHarness>[0] = {}): Promise<NonNullable<typeof harness>> {
  const printer = { failing: true, written: [] as Buffer[] };
  const h = await startApiHarness(
    { ...options, extra: { printer: { enabled: true, transport: 'device', path: 'fake-printer' }, ...options.extra } },
    {
      printerTransport: () => ({
        target: 'fake-printer',
        async write(data) {
          if (printer.failing) throw new Error('paper out');
          printer.written.push(data);
        },
      }),
    },
  );
  harness = { ...h, printer };
  return harness;
}

const shiftStates = (events: ApiEvent[]): string[] => events.flatMap((e) => (e.event === 'status' ? [e.payload.shift.state] : []));

describe('shift and report API', () => {
  it('open → sale → tender → X with every §7.2 field → close refused while unresolved → Z reconciled → list, print, export', async () => {
    const h = await start({ timing: { finalStatusTimeoutMs: 1_500 } });
    const { checkout } = h.till.core;

    expect(await h.call('shift.current', {})).toMatchObject({ shift: null, warnings: [], unresolved: [], tenderKinds: ['cash', 'card_terminal', 'other'] });
    expect((await h.call('status.get', {})).shift).toEqual({ state: 'none', id: null, openedAt: null, expiresAt: null, forgotten: false, environment: null, environmentChanged: false });
    expect((await h.fail('shift.close', { cashier: 'Менеджер' })).key).toBe('shift.not_open');
    expect((await h.fail('shift.tender', { kind: 'cash', amountKop: 100, direction: 'sale' })).key).toBe('shift.not_open');

    const opened = await h.call('shift.open', { cashier: '  Менеджер  ' });
    expect(opened).toMatchObject({ id: 1, openedBy: 'Менеджер', status: 'open', zNumber: null });
    expect(shiftStates(h.events).at(-1)).toBe('open');
    expect((await h.fail('shift.open', { cashier: 'Другой' })).key).toBe('shift.already_open');
    expect((await h.fail('shift.open', { cashier: '   ' })).key).toBe('ipc.invalid');

    const paid = await checkout.waitFinal((await checkout.pay({ orderId: orderId(), amountKop: 25_000, card: card('OK'), paymentType: 'SBP' })).id, 10_000);
    expect(paid.outcome).toBe('paid');
    const tender = await h.call('shift.tender', { kind: 'cash', amountKop: 50_000, direction: 'sale', note: 'наличные, чек 12', cashier: 'Менеджер' });
    expect(tender).toMatchObject({ kind: 'cash', amountKop: 50_000, direction: 'sale', note: 'наличные, чек 12' });
    await h.call('shift.tender', { kind: 'card_terminal', amountKop: 1_000, direction: 'refund' });
    expect((await h.fail('shift.tender', { kind: 'crypto', amountKop: 100, direction: 'sale' })).key).toBe('tender.invalid');
    expect((await h.fail('shift.tender', { kind: 'cash', amountKop: 0, direction: 'sale' })).key).toBe('ipc.invalid');

    const x = await h.call('report.x', {});
    expect(x.type).toBe('x');
    const line = x.operations.find((l) => l.id === paid.id);
    expect(line).toMatchObject({
      orderId: paid.orderId, paymentTransactionId: paid.transactionId, requestId: paid.requestId, paymentType: 'SBP',
      refundTransactionId: null, status: 'paid', signedKop: 25_000,
    });
    // The slip's ids as the journal stored them, under the columns the configured provider registered.
    const stored = h.till.core.journal.sqlite.prepare('SELECT refs_json FROM slips WHERE operation_id = ?').get(paid.id) as { refs_json: string };
    expect(line?.refs).toEqual(JSON.parse(stored.refs_json));
    expect(line?.refs.qrcId).toBeTruthy();
    expect(line?.refs.kzo).toBeTruthy();
    expect(x.refColumns).toEqual(KOSHELEK_COLUMNS);
    expect(x.currencies[0]!.totals).toEqual({ electronicInKop: 25_000, electronicOutKop: 0, electronicNetKop: 25_000, tendersNetKop: 49_000, tillNetKop: 74_000 });
    expect(x.currencies[0]!.byPaymentType).toEqual([expect.objectContaining({ paymentType: 'SBP', netKop: 25_000 })]);
    expect(x.currencies[0]!.tenders.map((t) => [t.kind, t.netKop])).toEqual(expect.arrayContaining([['cash', 50_000], ['card_terminal', -1_000]]));

    // A customer who never confirms: the close is refused with the catalogue's instruction, before any network.
    const slow = await checkout.pay({ orderId: orderId(), amountKop: 9_900, card: card('SL'), paymentType: 'SBP' });
    expect((await h.call('shift.current', {})).unresolved).toEqual([slow.id]);
    const lookups = (): number => h.till.emulator.received.filter((r) => r.endpoint === 'status' && (r.body as { transactionId?: string }).transactionId === paid.transactionId).length;
    const lookupsBefore = lookups();
    const refused = await h.fail('shift.close', { cashier: 'Менеджер' });
    expect(refused).toMatchObject({ key: 'shift.unresolved_operations', action: 'check_status' });
    expect(refused.details).toContain(slow.id);
    expect(h.till.core.shifts.current()?.status).toBe('open');
    expect(lookups()).toBe(lookupsBefore);

    expect((await checkout.waitFinal(slow.id, 10_000)).outcome).toBe('canceled');
    const [z, again] = await Promise.all([h.call('shift.close', { cashier: 'Менеджер' }), h.call('shift.close', { cashier: 'Менеджер' })]);
    expect(again).toEqual(z);
    expect(z).toMatchObject({ type: 'z', zNumber: 1, unresolved: [], shift: { id: 1, closedBy: 'Менеджер' } });
    expect(z.reconciliation?.differences).toEqual([]);
    expect(z.reconciliation?.matched).toBeGreaterThanOrEqual(2);
    expect(shiftStates(h.events).at(-1)).toBe('none');
    expect((await h.call('shift.current', {})).shift).toBeNull();

    expect(await h.call('report.z', { number: 1 })).toEqual(z);
    expect((await h.fail('report.z', { number: 2 })).key).toBe('report.not_found');
    expect(await h.call('report.list', {})).toEqual([{
      zNumber: 1, shiftId: 1, openedAt: opened.openedAt, openedBy: 'Менеджер', closedAt: z.shift.closedAt, closedBy: 'Менеджер',
      operations: z.operations.length, tillNet: [{ currency: 'RUB', netKop: 74_000 }], differences: 0,
    }]);
    expect((await h.fail('report.x', {})).key).toBe('shift.not_open');
    expect((await h.call('report.x', { shiftId: 1 })).currencies[0]!.totals.tillNetKop).toBe(74_000);

    // Printing: a failure is an answer, not an error, and the output stays in the history for a reprint.
    const failed = await h.call('report.print', { type: 'z' });
    expect(failed).toMatchObject({ printed: false, reportType: 'z', zNumber: 1, error: { key: 'print.failed' } });
    h.printer.failing = false;
    const reprinted = await h.call('report.reprint', { outputId: failed.outputId });
    expect(reprinted).toMatchObject({ printed: true, error: null, zNumber: 1 });
    expect(h.printer.written).toHaveLength(1);
    expect((await h.fail('report.reprint', { outputId: 999 })).key).toBe('report.not_found');

    // Exports land under <data>/exports; the answer names the file, nothing else.
    const csv = await h.call('report.export', { type: 'z', number: 1, format: 'csv' });
    expect(csv.fileName).toBe('Z-0001-shift-1.csv');
    expect(csv.path).toBe(path.join(h.till.dataDir, 'exports', 'Z-0001-shift-1.csv'));
    const text = fs.readFileSync(csv.path, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text.slice(1).split('\r\n')[0]).toBe(csvColumns(KOSHELEK_COLUMNS).join(';'));
    expect(text).toContain(`;SBP;${line?.refs.qrcId ?? '?'};${line?.refs.kzo ?? '?'};koshelek;`);
    expect(text).toContain(paid.orderId);
    expect(text).toContain(paid.transactionId ?? '?');
    const pdf = await h.call('report.export', { type: 'z', format: 'pdf' });
    expect(fs.readFileSync(pdf.path).subarray(0, 5).toString()).toBe('%PDF-');
    const txt = await h.call('report.export', { type: 'x', shiftId: 1, format: 'txt' });
    expect(txt.fileName).toMatch(/^X-shift-1-\d{8}-\d{6}\.txt$/);
    expect(fs.readFileSync(txt.path, 'utf8')).toContain(paid.orderId);
    expect(fs.readdirSync(path.join(h.till.dataDir, 'exports')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const history = h.till.core.journal.sqlite.prepare("SELECT format, status FROM report_outputs WHERE format <> 'escpos' ORDER BY id").all();
    expect(history).toEqual([{ format: 'csv', status: 'done' }, { format: 'pdf', status: 'done' }, { format: 'txt', status: 'done' }]);
  });

  it('the first sale opens the shift by itself and the status bar is told', async () => {
    const h = await start();
    const { checkout } = h.till.core;
    const pay = await checkout.pay({ orderId: orderId(), amountKop: 1_000, card: card('OK'), paymentType: 'SBP' });
    await checkout.waitFinal(pay.id, 10_000);
    await expect.poll(() => shiftStates(h.events)).toContain('open');
    const current = await h.call('shift.current', {});
    expect(current.shift).toMatchObject({ openedBy: 'auto', status: 'open' });
    // Operation events that do not change the shift push no status of their own.
    const statusEvents = h.events.filter((e) => e.event === 'status').length;
    const operationEvents = h.events.filter((e) => e.event === 'operation').length;
    expect(operationEvents).toBeGreaterThanOrEqual(2);
    expect(statusEvents).toBeLessThan(operationEvents + 1);
  });

  it('print without a configured printer says so and keeps the report', async () => {
    const h = await start({ extra: { printer: { enabled: false } } });
    await h.call('shift.open', { cashier: 'Менеджер' });
    const result = await h.call('report.print', { type: 'x' });
    expect(result).toMatchObject({ printed: false, reportType: 'x', zNumber: null, error: { key: 'print.not_configured' } });
    expect(h.till.core.journal.sqlite.prepare('SELECT status FROM report_outputs WHERE id = ?').get(result.outputId)).toEqual({ status: 'failed' });
    expect((await h.fail('report.print', { type: 'z' })).key).toBe('report.not_found');
  });
});

describe('status clock warning', () => {
  it('warns beyond CLOCK_WARN_MS or when the drift exceeds a TOTP step', async () => {
    const h = await start();
    const { buildStatus } = await import('./session');
    const { CLOCK_WARN_MS } = await import('../contract/api');
    const scans = { state: () => ({ serial: null, wedge: h.till.core.config.current().scanner.wedge }) } as unknown as Parameters<typeof buildStatus>[1];
    const none = { state: 'none', id: null, openedAt: null, expiresAt: null, forgotten: false, environment: null, environmentChanged: false } as const;
    const withHealth = (clockSkewMs: number | null, clockDriftExceedsStep: boolean) => ({
      ...h.till.core, health: () => ({ ...h.till.core.health(), clockSkewMs, clockDriftExceedsStep }),
    });
    expect(buildStatus(withHealth(null, false), scans, 'kiosk', none).clock.warn).toBe(false);
    expect(buildStatus(withHealth(CLOCK_WARN_MS - 1_000, false), scans, 'kiosk', none).clock.warn).toBe(false);
    expect(buildStatus(withHealth(-CLOCK_WARN_MS, false), scans, 'kiosk', none).clock).toEqual({ skewMs: -CLOCK_WARN_MS, warn: true });
    expect(buildStatus(withHealth(5_000, true), scans, 'kiosk', none).clock.warn).toBe(true);
  });
});
