// Stored Zs read back (report.z, report.list) and exports (CSV / text / PDF of an X or a Z) are made in the report
// worker: the core's loop keeps turning while they are made, the core never rebuilds the report, and the answers
// are what the core-thread path gave. A malformed report row fails the report closed over the API.
import fs from 'node:fs';
import { asciiJson } from '../reports/checked-json';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { API_METHODS, shiftReportSchema } from '../contract/api';
import { reportCsv } from '../reports/csv';
import { decodeStoredReport } from '../reports/stored';
import { reportText } from '../reports/text';
import { generateShiftOperations, newLedger, rng } from '../shifts/fixtures';
import { startApiHarness, type ApiHarness } from '../../test/support/api-session';
import { loopTurnsDuring } from '../../test/support/loop-turns';
import { PreSerialized, plainResponse, responseFrameJson } from './pre-serialized';

let harness: ApiHarness | null = null;
afterEach(async () => {
  vi.restoreAllMocks();
  await harness?.close();
  harness = null;
});

/** A till whose shift 1 of 400 generated operations is closed (Z 1), and shift 2 open with 50. */
async function closedShift(): Promise<ApiHarness> {
  harness = await startApiHarness();
  const sqlite = harness.till.core.journal.sqlite;
  const first = await harness.call('shift.open', { cashier: 'Менеджер' });
  generateShiftOperations(sqlite, first.id, 400, rng(5), [], Date.parse(first.openedAt), newLedger());
  await harness.call('shift.close', { cashier: 'Менеджер' });
  const second = await harness.call('shift.open', { cashier: 'Менеджер' });
  generateShiftOperations(sqlite, second.id, 50, rng(6), [], Date.parse(second.openedAt) + 1_000, newLedger());
  return harness;
}

describe('Z reads and exports in the report worker', () => {
  it('report.z: read back and checked in the worker, passed through unparsed, the loop free meanwhile', async () => {
    const h = await closedShift();
    const shifts = h.till.core.shifts;
    await h.session.dispatch('report.x', {}); // the worker is up
    const onCore = vi.spyOn(shifts, 'zReport');
    const safeParse = vi.spyOn(shiftReportSchema, 'safeParse');
    const parse = vi.spyOn(JSON, 'parse');
    const [response, turns] = await loopTurnsDuring(() => h.session.dispatch('report.z', { number: 1 }));
    expect(response.ok && response.data).toBeInstanceOf(PreSerialized);
    expect(turns).toBeGreaterThan(0);
    expect(onCore).not.toHaveBeenCalled();
    expect(safeParse).not.toHaveBeenCalled();
    expect(parse.mock.calls.filter(([arg]) => typeof arg === 'string' && arg.length > 10_000)).toHaveLength(0);
    vi.restoreAllMocks();
    // Byte for byte the frame of the core-thread path (the Z read here, checked by the contract).
    const before = API_METHODS['report.z'].output.parse(shifts.zReport(1));
    expect(before.operations).toHaveLength(400);
    expect(responseFrameJson(3, response)).toBe(asciiJson({ id: 3, response: { ok: true, data: before } }));
    // The worker's catalogue errors arrive as they are, not recomputed on the core.
    const missing = vi.spyOn(shifts, 'zReport');
    const none = await h.session.dispatch('report.z', { number: 7 });
    expect(!none.ok && none.error.key).toBe('report.not_found');
    expect(missing).not.toHaveBeenCalled();
  });

  it('shift.close: the closing transaction on the core, the Z read back in the worker; the answer is the Z report.z reads', async () => {
    harness = await startApiHarness();
    const h = harness;
    const open = await h.call('shift.open', { cashier: 'Менеджер' });
    generateShiftOperations(h.till.core.journal.sqlite, open.id, 400, rng(8), [], Date.parse(open.openedAt), newLedger());
    await h.session.dispatch('report.x', {}); // the worker is up
    const onCore = vi.spyOn(h.till.core.shifts, 'zReport');
    const response = await h.session.dispatch('shift.close', { cashier: 'Менеджер' });
    expect(response.ok && response.data).toBeInstanceOf(PreSerialized);
    expect(onCore).not.toHaveBeenCalled();
    vi.restoreAllMocks();
    const z = API_METHODS['report.z'].output.parse(h.till.core.shifts.zReport(1));
    expect(z.operations).toHaveLength(400);
    expect(responseFrameJson(4, response)).toBe(asciiJson({ id: 4, response: { ok: true, data: z } }));
    // the audit trail's Z entry carries the closed Z's head (people-api: recordZHead)
    const entries = (h.till.core.journal.sqlite.prepare('SELECT entry_json FROM audit_log ORDER BY seq').pluck().all() as string[]).map((e) => JSON.parse(e) as { kind: string; data: unknown });
    expect(entries.filter((e) => e.kind === 'report_z').at(-1)?.data).toMatchObject({ shift: open.id, zNumber: 1 });
  });

  it('report.list reads each Z in the worker; an edited covered row is refused there (report.integrity)', async () => {
    const h = await closedShift();
    const shifts = h.till.core.shifts;
    const z = shifts.zReport(1);
    const onCore = vi.spyOn(shifts, 'zReport');
    const [list, turns] = await loopTurnsDuring(() => h.call('report.list', {}));
    expect(turns).toBeGreaterThan(0);
    expect(onCore).not.toHaveBeenCalled();
    expect(list).toEqual([expect.objectContaining({
      zNumber: 1, operations: 400, tillNet: z?.currencies.map((c) => ({ currency: c.currency, netKop: c.totals.tillNetKop })), differences: z?.reconciliation?.differences.length ?? null,
    })]);
    h.till.core.journal.sqlite.prepare("UPDATE report_operations SET order_id = 'edited' WHERE id = (SELECT id FROM report_operations WHERE shift_id = 1 LIMIT 1)").run();
    const refused = await h.session.dispatch('report.z', { number: 1 });
    expect(!refused.ok && refused.error.key).toBe('report.integrity');
    expect(onCore).not.toHaveBeenCalled();
  });

  it('exports a Z and an X as CSV / text / PDF made in the worker, the same bytes, recorded with the X snapshot', async () => {
    const h = await closedShift();
    const shifts = h.till.core.shifts;
    const z = shifts.zReport(1);
    if (!z) throw new Error('no Z');
    const zOnCore = vi.spyOn(shifts, 'zReport');
    const xOnCore = vi.spyOn(shifts, 'xReport');
    const [csv, turns] = await loopTurnsDuring(() => h.call('report.export', { type: 'z', number: 1, format: 'csv' }));
    expect(turns).toBeGreaterThan(0);
    expect(fs.readFileSync(csv.path)).toEqual(Buffer.from(reportCsv(z), 'utf8'));
    expect(csv.fileName).toBe('Z-0001-shift-1.csv');
    const txt = await h.call('report.export', { type: 'z', shiftId: 1, format: 'txt' });
    expect(fs.readFileSync(txt.path, 'utf8')).toBe(reportText(z, 100));
    const pdf = await h.call('report.export', { type: 'z', format: 'pdf' });
    expect(fs.readFileSync(pdf.path).subarray(0, 5).toString()).toBe('%PDF-');
    const x = await h.call('report.export', { type: 'x', format: 'txt' });
    expect(x.fileName).toMatch(/^X-shift-2-\d{8}-\d{6}\.txt$/);
    expect(zOnCore).not.toHaveBeenCalled();
    expect(xOnCore).not.toHaveBeenCalled();
    // The X output keeps its snapshot (reprint, history), the Z outputs refer to z_reports.
    const rows = h.till.core.journal.sqlite.prepare('SELECT report_type, z_number, format, status, body_json FROM report_outputs ORDER BY id').all() as
      { report_type: string; z_number: number | null; format: string; status: string; body_json: string | null }[];
    expect(rows.map((r) => [r.report_type, r.z_number, r.format, r.status, r.body_json === null])).toEqual([
      ['z', 1, 'csv', 'done', true], ['z', 1, 'txt', 'done', true], ['z', 1, 'pdf', 'done', true], ['x', null, 'txt', 'done', false],
    ]);
    const snapshot = decodeStoredReport(rows[3]?.body_json ?? '');
    expect(snapshot.operations).toHaveLength(50);
    expect(fs.readFileSync(x.path, 'utf8')).toBe(reportText(snapshot, 100));
    // A missing Z is the worker's report.not_found, with no output recorded.
    const none = await h.session.dispatch('report.export', { type: 'z', number: 9, format: 'csv' });
    expect(!none.ok && none.error.key).toBe('report.not_found');
    expect(zOnCore).not.toHaveBeenCalled();
  });

  it('a malformed report row fails report.x closed: refused in the worker, never sent, not recomputed on the core', async () => {
    const h = await closedShift();
    const shifts = h.till.core.shifts;
    h.till.core.journal.sqlite.prepare("UPDATE report_operations SET currency = 'rub' WHERE id = (SELECT id FROM report_operations WHERE shift_id = 2 LIMIT 1)").run();
    const inProcess = vi.spyOn(shifts, 'xReport');
    const response = await h.session.dispatch('report.x', {});
    expect(response.ok).toBe(false);
    if (response.ok) return;
    expect(response.error.key).toBe('internal.unexpected');
    expect(JSON.stringify(response.error)).toMatch(/X report broke the contract: 1 operation row/);
    expect(inProcess).not.toHaveBeenCalled();
    // and a Z whose rows are fine still reads (the worker keeps serving)
    expect(plainResponse(await h.session.dispatch('report.z', { number: 1 })).ok).toBe(true);
  });
});
