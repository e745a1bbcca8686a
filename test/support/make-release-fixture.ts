// Makes test/fixtures/journal-release-2.db: a journal written by a released Paydesk through its real
// code (core + embedded Koshelek emulator, environment "emulator"), for the migration tests that must
// read a journal they did not write themselves. It must run against the RELEASE's code, not today's, with
// this file as it was then (today's copy follows today's API so it keeps compiling):
//   git worktree add /tmp/paydesk-release fbeb012
//   git show b8df679:test/support/make-release-fixture.ts > /tmp/paydesk-release/test/support/make-release-fixture.ts
//   (cd /tmp/paydesk-release && ln -s <repo>/node_modules node_modules && npx tsx test/support/make-release-fixture.ts <repo>/test/fixtures)
// It writes journal-release-2.db (checkpointed, one file) and journal-release-2.expect.json: the values a
// later migration must keep, read back from the file by SQL. docs/journal-neutral.md explains the fixture.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { card, orderId, startTill, type Till } from './till';

const outDir = path.resolve(process.argv[2] ?? path.join(process.cwd(), 'test/fixtures'));

async function day(till: Till): Promise<void> {
  const { checkout, shifts } = till.core;
  const final = async (id: string) => checkout.waitFinal(id, 15_000);

  // Shift 1: SBP sales (slips carry merchantId, operationId, qrcId, kzo), a Dolyame sale (operationId
  // only), a decline, a cancel, refunds (full and partial), tenders; then a reconciled Z.
  const sbp1 = await final((await checkout.pay({ orderId: orderId(), amountKop: 25_000, card: card('OK'), paymentType: 'SBP' })).id);
  const sbp2 = await final((await checkout.pay({ orderId: orderId(), amountKop: 12_345, card: card('OK'), paymentType: 'SBP' })).id);
  const sbp3 = await final((await checkout.pay({ orderId: orderId(), amountKop: 9_900, card: card('OK'), paymentType: 'SBP' })).id);
  await final((await checkout.pay({ orderId: orderId(), amountKop: 500_000, card: card('DL'), paymentType: 'DOLYAME' })).id);
  await final((await checkout.pay({ orderId: orderId(), amountKop: 7_000, card: card('DC'), paymentType: 'SBP' })).id);
  const stalled = await checkout.pay({ orderId: orderId(), amountKop: 4_400, card: card('SL'), paymentType: 'SBP' });
  await checkout.cancel(stalled.id);
  await final(stalled.id);
  await final((await checkout.refund({ paymentOperationId: sbp1.id })).id);
  await final((await checkout.refund({ paymentOperationId: sbp2.id, amountKop: 2_345 })).id);
  shifts.recordTender({ kind: 'cash', amountKop: 150_00, direction: 'sale', note: 'наличные', cashier: 'Кассир' });
  shifts.recordTender({ kind: 'cash', amountKop: 20_00, direction: 'refund', cashier: 'Кассир' });
  const z = await shifts.closeAndReconcile('Менеджер', till.core.statusLookup);
  if (z.zNumber !== 1) throw new Error(`expected Z #1, got ${String(z.zNumber)}`);

  // Shift 2 (left open): a sale, a cross-shift partial refund of a shift-1 payment, a decline.
  await final((await checkout.pay({ orderId: orderId(), amountKop: 31_000, card: card('OK'), paymentType: 'SBP' })).id);
  await final((await checkout.refund({ paymentOperationId: sbp3.id, amountKop: 900 })).id);
  await final((await checkout.pay({ orderId: orderId(), amountKop: 6_000, card: card('DC'), paymentType: 'SBP' })).id);
  shifts.recordTender({ kind: 'cash', amountKop: 50_00, direction: 'sale', cashier: 'Кассир 2' });
}

interface Expect {
  schemaVersion: number;
  operations: Record<string, { kind: string; card_session: string | null; loyalty_id: string | null; outcome: string | null }>;
  slips: Record<string, { merchant_id: string | null; bank_operation_id: string | null; qrc_id: string | null; kzo: string | null }>;
  reportOperations: { count: number; rows: Record<string, { slip_qrc_id: string | null; slip_kzo: string | null; has_slip: number }> };
  counts: Record<string, number>;
  zReports: { number: number; shift_id: number; sha256: string; rowsSha256: string | null }[];
}

function expectations(file: string): Expect {
  const db = new Database(file, { readonly: true });
  const all = <T>(sql: string) => db.prepare(sql).all() as T[];
  const operations: Expect['operations'] = {};
  for (const r of all<{ id: string; kind: string; card_session: string | null; loyalty_id: string | null; outcome: string | null }>(
    'SELECT id, kind, card_session, loyalty_id, outcome FROM operations ORDER BY created_at, id')) {
    operations[r.id] = { kind: r.kind, card_session: r.card_session, loyalty_id: r.loyalty_id, outcome: r.outcome };
  }
  const slips: Expect['slips'] = {};
  for (const r of all<{ operation_id: string; merchant_id: string | null; bank_operation_id: string | null; qrc_id: string | null; kzo: string | null }>(
    'SELECT operation_id, merchant_id, bank_operation_id, qrc_id, kzo FROM slips ORDER BY operation_id')) {
    slips[r.operation_id] = { merchant_id: r.merchant_id, bank_operation_id: r.bank_operation_id, qrc_id: r.qrc_id, kzo: r.kzo };
  }
  const rows: Expect['reportOperations']['rows'] = {};
  for (const r of all<{ id: string; slip_qrc_id: string | null; slip_kzo: string | null; has_slip: number }>(
    'SELECT id, slip_qrc_id, slip_kzo, has_slip FROM report_operations ORDER BY shift_id, created_at, id')) {
    rows[r.id] = { slip_qrc_id: r.slip_qrc_id, slip_kzo: r.slip_kzo, has_slip: r.has_slip };
  }
  const counts: Record<string, number> = {};
  for (const t of ['operations', 'operation_events', 'slips', 'operation_items', 'report_operations', 'shifts', 'z_reports', 'tenders', 'report_outputs', 'shift_environments', 'outbox_jobs']) {
    counts[t] = (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
  }
  const zReports = all<{ number: number; shift_id: number; sha256: string; body_json: string }>('SELECT number, shift_id, sha256, body_json FROM z_reports ORDER BY number')
    .map((z) => {
      const body = JSON.parse(z.body_json) as { covers?: { rowsSha256?: string } };
      return { number: z.number, shift_id: z.shift_id, sha256: z.sha256, rowsSha256: body.covers?.rowsSha256 ?? null };
    });
  const schemaVersion = (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number }).v;
  db.close();
  return { schemaVersion, operations, slips, reportOperations: { count: Object.keys(rows).length, rows }, counts, zReports };
}

async function main(): Promise<void> {
  const till = await startTill({ mode: 'emulator', timing: { finalStatusTimeoutMs: 1_500 } });
  try {
    await day(till);
  } finally {
    await till.close();
  }
  const source = path.join(till.dataDir, 'journal.db');
  const db = new Database(source);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.pragma('journal_mode = DELETE'); // one self-contained file: no -wal / -shm beside it
  db.exec('VACUUM');
  db.close();
  fs.mkdirSync(outDir, { recursive: true });
  const target = path.join(outDir, 'journal-release-2.db');
  fs.copyFileSync(source, target);
  const expected = expectations(target);
  fs.writeFileSync(path.join(outDir, 'journal-release-2.expect.json'), `${JSON.stringify(expected, null, 2)}\n`);
  process.stdout.write(`${target}: ${fs.statSync(target).size} bytes, ${Object.keys(expected.operations).length} operations, ${expected.reportOperations.count} report rows, schema v${expected.schemaVersion}\n`);
  fs.rmSync(till.dataDir, { recursive: true, force: true });
}

main().then(() => process.exit(0), (error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
