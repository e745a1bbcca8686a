import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { openJournal } from '../journal/database';
import { generateShiftOperations, newLedger, rng, type PaidPayment } from '../shifts/fixtures';
import { computeReport } from './compute';
import { loadShift, loadShiftOperations, loadShiftTenders } from './load';
import { ReportWorker } from './worker';

let worker: ReportWorker | null = null;
afterEach(async () => {
  await worker?.close();
  worker = null;
});

describe('report worker (own read connection, own thread)', () => {
  it('computes the same X report as the core would, and its PDF', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-rw-')), 'journal.db');
    const j = openJournal(file);
    j.sqlite.prepare("INSERT INTO shifts (id, opened_at, opened_by) VALUES (1, '2025-03-01T06:00:00.000Z', 'Кассир')").run();
    generateShiftOperations(j.sqlite, 1, 300, rng(3), [] as PaidPayment[], Date.UTC(2025, 2, 1, 6), newLedger());
    const till = { terminalId: 'POS-1', storeId: 's1', storeName: 'Магазин' };
    const generatedAt = '2025-03-01T12:00:00.000Z';
    const refColumns = [{ key: 'missing', label: 'нет' }, { key: 'other', label: 'Другой ID' }];
    const expected = computeReport({
      type: 'x', zNumber: null, shift: loadShift(j.sqlite, 1)!, till, generatedAt,
      operations: loadShiftOperations(j.sqlite, 1), tenders: loadShiftTenders(j.sqlite, 1), refColumns,
    });
    worker = new ReportWorker(file);
    const req = { shiftId: 1, till, generatedAt, environment: null, tenderVoids: [], refColumns };
    const x = await worker.xReport(req);
    expect(x).toEqual(expected);
    // the columns the caller passed reach the worker's report, and the lines carry the slips' refs
    expect(x.refColumns).toEqual(refColumns);
    expect(x.operations.some((l) => Object.values(l.refs).some((v) => v.startsWith('QRC')))).toBe(true);
    // it reads the journal as it is now (a committed write is seen by the next report)
    j.sqlite.prepare("UPDATE shifts SET opened_by = 'Другой' WHERE id = 1").run();
    expect((await worker.xReport(req)).shift.openedBy).toBe('Другой');
    const progress: { pages: number; linesDone: number; linesTotal: number }[] = [];
    const pdf = await worker.pdf(x, (p) => progress.push(p));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    // 300 operations lay out over several pages: progress arrives page by page, in order, ending complete
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.map((p) => p.pages)).toEqual(progress.map((_, i) => i + 1));
    expect(progress.every((p, i) => i === 0 || p.linesDone > (progress[i - 1]?.linesDone ?? 0))).toBe(true);
    const last = progress[progress.length - 1];
    expect(last?.linesDone).toBe(last?.linesTotal);
    // the PDF has as many pages as progress said
    expect(pdf.toString('latin1').match(/\/Type \/Page\b/g)?.length).toBe(last?.pages);
    await expect(worker.xReport({ ...req, shiftId: 99 })).rejects.toThrow(/shift 99 not found/);
    j.close();
  });

  it('a request pending when the thread stops fails (the caller falls back) instead of waiting for ever', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-rw-')), 'journal.db');
    openJournal(file).close();
    worker = new ReportWorker(file);
    const pending = worker.escposReport({ type: 'output', outputId: 1 }, null);
    // The thread ends without an error event (as terminate() or process.exit in it would).
    await (worker as unknown as { worker: Worker }).worker.terminate();
    await expect(pending).rejects.toThrow(/the report worker stopped \(exit code \d+\)/);
    // and what is asked afterwards fails at once
    await expect(worker.zFigures([1])).rejects.toThrow(/the report worker stopped/);
  });
});
