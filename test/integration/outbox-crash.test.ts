// SIGKILL after every commit of the enqueue → send → complete path (and while a send is in flight):
// the till process is killed, restarted on the same SQLite file, and the fiscal emulator must end with
// exactly one receipt per sale — none lost, none duplicated — for both connectors.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { OUTBOX_FAILPOINTS, type OutboxFailpoint } from '../../main/outbox/failpoints';
import { startAtolEmulator, type AtolEmulator } from '../../emulators/atol/server';
import { startYookassaEmulator, type YookassaEmulator } from '../../emulators/yookassa/server';
import { spawnChild, type ChildEvents, type Line } from '../support/child-events';

const CHILD = path.join(__dirname, '..', 'support', 'outbox-process.ts');
let atol: AtolEmulator;
let yookassa: YookassaEmulator;
let dir: string;

beforeAll(async () => {
  atol = await startAtolEmulator();
  yookassa = await startYookassaEmulator();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-outbox-crash-'));
});
afterAll(async () => {
  await atol.close();
  await yookassa.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function runChild(args: string[], env: Record<string, string>, onLine?: (l: Line, kill: () => void) => void): ChildEvents {
  return spawnChild(CHILD, args, { env: { PAYDESK_FAILPOINT: '', ...env }, onLine });
}

type Connector = 'atol' | 'yookassa';
const urlOf = (c: Connector): string => (c === 'atol' ? atol.baseUrl : yookassa.baseUrl);
/** Receipts the emulator registered for one sale. */
function receiptsFor(c: Connector, saleId: string): number {
  if (c === 'atol') return atol.documents().filter((d) => d.externalId === saleId).length;
  return yookassa.receipts().filter((r) => (r.request.additional_user_props?.value ?? '').includes(`ptx-${saleId};`)).length;
}

/** The job as committed so far; undefined while the child has not created the database or its tables. */
function jobState(db: string, saleId: string): { state: string; attempts: number } | undefined {
  if (!fs.existsSync(db)) return undefined;
  let sqlite: Database.Database | null = null;
  try {
    sqlite = new Database(db, { readonly: true });
    return sqlite.prepare('SELECT state, attempts FROM outbox_jobs WHERE dedupe_key = ?').get(`fiscal.sell:${saleId}`) as { state: string; attempts: number } | undefined;
  } catch (error) {
    if (error instanceof Error && /no such table|unable to open/.test(error.message)) return undefined;
    throw error;
  } finally {
    sqlite?.close();
  }
}

/** Kills at each failpoint of `sequence` in turn (one process each), then lets a clean process finish. */
async function crashThenFinish(c: Connector, saleId: string, sequence: OutboxFailpoint[]): Promise<void> {
  const db = path.join(dir, `${c}-${saleId}.db`);
  for (const [index, fp] of sequence.entries()) {
    const args = ['--db', db, '--connector', c, '--url', urlOf(c), '--sale', saleId, ...(index === 0 ? ['--enqueue'] : [])];
    const { exited } = runChild(args, { PAYDESK_FAILPOINT: fp });
    const exit = await exited;
    expect(exit.signal, `${fp} should have killed the till`).toBe('SIGKILL');
  }
  const finish = await runChild(['--db', db, '--connector', c, '--url', urlOf(c), '--sale', saleId], {}).exited;
  expect(finish.code).toBe(0);
  expect(finish.lines.at(-1)).toMatchObject({ event: 'settled', state: 'done' });
}

// Each sequence kills one process per failpoint; points that only fire on a later attempt (recovery,
// reconciliation) follow a kill that makes that attempt happen.
const CASES: OutboxFailpoint[][] = [
  ['outbox.after_enqueue'],
  ['outbox.after_claim'],
  ['outbox.after_remote_ref'],
  ['outbox.after_send'],
  ['outbox.after_complete'],
  ['outbox.after_claim', 'outbox.after_recover'],
  ['outbox.after_claim', 'outbox.after_mark_reconciled'],
  ['outbox.after_send', 'outbox.after_send'], // killed again right after the reconciliation answered
  ['outbox.after_remote_ref', 'outbox.after_mark_reconciled', 'outbox.after_send'],
];

it('the cases cover every failpoint', () => {
  expect(new Set(CASES.flat())).toEqual(new Set(OUTBOX_FAILPOINTS));
});

describe.each(['atol', 'yookassa'] as const)('%s: SIGKILL at every step, then restart', (c) => {
  it.each(CASES.map((seq) => [seq.join(' → '), seq] as const))('%s: exactly one receipt', async (_label, seq) => {
    const saleId = `${c}-${seq.join('-').replace(/outbox\./g, '')}`;
    await crashThenFinish(c, saleId, [...seq]);
    expect(receiptsFor(c, saleId)).toBe(1);
    expect(jobState(path.join(dir, `${c}-${saleId}.db`), saleId)?.state).toBe('done');
  });

  it('the service is down across a restart of the till process: the receipt goes out once when it is back', async () => {
    const saleId = `${c}-down-restart`;
    const db = path.join(dir, `${c}-${saleId}.db`);
    const setDown = (down: boolean): void => (c === 'atol' ? atol.setDown(down) : yookassa.setDown(down));
    setDown(true);
    try {
      const first = runChild(['--db', db, '--connector', c, '--url', urlOf(c), '--sale', saleId, '--enqueue'], {});
      const end = Date.now() + 15_000;
      while ((jobState(db, saleId)?.attempts ?? 0) < 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      first.kill();
      await first.exited;
      expect(jobState(db, saleId)?.state).not.toBe('done');
    } finally {
      setDown(false);
    }
    expect(receiptsFor(c, saleId)).toBe(0);
    const finish = await runChild(['--db', db, '--connector', c, '--url', urlOf(c), '--sale', saleId], {}).exited;
    expect(finish.lines.at(-1)).toMatchObject({ event: 'settled', state: 'done' });
    expect(receiptsFor(c, saleId)).toBe(1);
  });

  it('killed while the send is in flight (the service has it, the till does not know): exactly one receipt', async () => {
    const saleId = `${c}-inflight`;
    const db = path.join(dir, `${c}-${saleId}.db`);
    if (c === 'atol') atol.setFaults({ slowCount: 1, slowMs: 3_000 });
    else yookassa.setFaults({ slowCount: 1, slowMs: 3_000 });
    const first = runChild(['--db', db, '--connector', c, '--url', urlOf(c), '--sale', saleId, '--enqueue'], {});
    const end = Date.now() + 15_000;
    while (receiptsFor(c, saleId) === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 2));
    first.kill();
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(jobState(db, saleId)?.state).toBe('running');
    const finish = await runChild(['--db', db, '--connector', c, '--url', urlOf(c), '--sale', saleId], {}).exited;
    expect(finish.lines.find((l) => l.event === 'started')?.recovered).toHaveLength(1);
    expect(finish.lines.at(-1)).toMatchObject({ event: 'settled', state: 'done' });
    expect(receiptsFor(c, saleId)).toBe(1);
  });
});
