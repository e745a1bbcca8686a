// Persisted Koshelek states are parsed with their versioned schema, never cast. Rows the previous release
// wrote (no version stamp; fixture captured from that code at every phase) still parse and resume; a row
// that does not parse — corrupted, or stamped by a newer Paydesk — is never resumed blindly: after a real
// restart on a real SQLite journal it is held for IT (journal note, view, status count, error log) and not
// one request about it reaches Koshelek.
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startKoshelekEmulator, type KoshelekEmulator } from '../../emulators/koshelek';
import { startCore, type StartedCore } from '../../main/core/core';
import { REDACT_PATHS } from '../../main/log/logger';
import { KOSHELEK_STATE_VERSION, parsePaymentState, parseRefundState, persistState } from '../../main/payapi/koshelek/persisted';
import { card, orderId, tempDir, writeTillConfig } from '../support/till';

const PREVIOUS_RELEASE = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../fixtures/koshelek-states-unversioned.json'), 'utf8')) as { kind: string; phase: string; context_json: string }[];

let core: StartedCore | null = null;
let emulator: KoshelekEmulator | null = null;
afterEach(async () => {
  await core?.close();
  await emulator?.close();
  core = null;
  emulator = null;
});

async function until(check: () => boolean, timeoutMs = 8_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function capturingLogger(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(chunk.toString()); done(); } });
  return { logger: pino({ level: 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, stream), lines };
}

describe('persisted Koshelek states', () => {
  it('every state the previous release wrote (all phases, payments and refunds) parses; a write stamps the version', () => {
    expect(PREVIOUS_RELEASE.map((r) => `${r.kind}/${r.phase}`)).toEqual(expect.arrayContaining(['payment/awaiting_status', 'payment/cancel_pending', 'refund/awaiting_refund_status']));
    for (const row of PREVIOUS_RELEASE) {
      const parsed = row.kind === 'payment' ? parsePaymentState(row.context_json) : parseRefundState(row.context_json);
      expect([row.phase, parsed.ok ? 'ok' : parsed.reason]).toEqual([row.phase, 'ok']);
      if (!parsed.ok) continue;
      expect(parsed.state.phase).toBe(row.phase);
      // Nothing the old row held is lost by a parse and a rewrite.
      const { v, ...rest } = JSON.parse(persistState(parsed.state)) as { v: number };
      expect(v).toBe(KOSHELEK_STATE_VERSION);
      expect(rest).toEqual(JSON.parse(row.context_json));
    }
  });

  it('refuses another version, broken JSON and a wrong shape, naming paths only (never stored values)', () => {
    const old = PREVIOUS_RELEASE.find((r) => r.kind === 'payment' && r.phase === 'awaiting_status')?.context_json ?? '';
    const newer = parsePaymentState(JSON.stringify({ ...JSON.parse(old) as object, v: KOSHELEK_STATE_VERSION + 1 }));
    expect(newer.ok ? '' : newer.reason).toMatch(/state version 2/);
    expect(parsePaymentState('{"phase":"awaiting_st').ok).toBe(false);
    const shape = JSON.parse(old) as { ctx: { amountKop: unknown; orderId: string } };
    shape.ctx.amountKop = 'SECRET-1000';
    const wrong = parsePaymentState(JSON.stringify(shape));
    expect(wrong.ok ? '' : wrong.reason).toBe('ctx.amountKop: invalid_type');
    expect(parseRefundState(old).ok).toBe(false);
  });

  it('after a restart on a real journal: corrupted and newer-version rows are held for IT, untouched; an old unversioned row resumes and finishes', async () => {
    emulator = await startKoshelekEmulator({ confirmDelayMs: 2_500 });
    const dataDir = tempDir('paydesk-persisted-');
    const configFile = writeTillConfig({ emulator, dataDir });
    core = await startCore({ configFile, dataDir, logger: pino({ level: 'silent' }) });
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) ids.push((await core.checkout.pay({ orderId: orderId(), amountKop: 10_000 + i, card: card('OK'), paymentType: 'SBP' })).id);
    await until(() => ids.every((id) => core?.checkout.get(id)?.phase === 'awaiting_status'));
    const [legacyId, newerId, brokenId] = ids as [string, string, string];
    await core.close();
    core = null;

    // What another hand (a disk fault, a newer Paydesk, the previous release) left in the journal.
    const db = new Database(path.join(dataDir, 'journal.db'));
    const contextOf = (id: string) => (db.prepare('SELECT context_json FROM operations WHERE id = ?').get(id) as { context_json: string }).context_json;
    const stamped = JSON.parse(contextOf(legacyId)) as { v?: number };
    expect(stamped.v).toBe(KOSHELEK_STATE_VERSION);
    delete stamped.v;
    db.prepare('UPDATE operations SET context_json = ? WHERE id = ?').run(JSON.stringify(stamped), legacyId);
    db.prepare('UPDATE operations SET context_json = ? WHERE id = ?').run(JSON.stringify({ ...JSON.parse(contextOf(newerId)) as object, v: 2 }), newerId);
    db.prepare('UPDATE operations SET context_json = ? WHERE id = ?').run(contextOf(brokenId).slice(0, 300), brokenId);
    const txOf = (id: string) => (db.prepare('SELECT transaction_id FROM operations WHERE id = ?').get(id) as { transaction_id: string }).transaction_id;
    const heldTx = [txOf(newerId), txOf(brokenId)];
    db.close();

    const seqBefore = emulator.received.length;
    const { logger, lines } = capturingLogger();
    core = await startCore({ configFile, dataDir, logger });
    const started = core;
    expect(started.checkout.unreadable().sort()).toEqual([newerId, brokenId].sort());
    expect(started.environment().unreadableOperations).toBe(2);
    expect(started.environment().heldOperations).toBe(0);
    for (const id of [newerId, brokenId]) {
      const view = started.checkout.get(id);
      expect(view?.held).toBe(true);
      expect(view?.cancellable).toBe(false);
      expect(view?.error?.key).toBe('operation.state_unreadable');
      const notes = started.journal.sqlite.prepare("SELECT body_json FROM operation_events WHERE operation_id = ? AND type = 'note'").all(id) as { body_json: string }[];
      expect(notes.map((n) => (JSON.parse(n.body_json) as { held?: string }).held)).toContain('state_unreadable');
    }
    expect(lines.filter((l) => l.includes('operation state unreadable')).length).toBe(2);

    // The old unversioned row resumes and is paid; the held ones get not one request, and stay as they were.
    expect((await started.checkout.waitFinal(legacyId, 15_000)).outcome).toBe('paid');
    await new Promise((r) => setTimeout(r, 500));
    const after = emulator.received.slice(seqBefore);
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((r) => heldTx.some((tx) => `${r.path} ${JSON.stringify(r.body ?? null)}`.includes(tx)))).toEqual([]);
    expect([started.checkout.get(newerId)?.phase, started.checkout.get(brokenId)?.phase]).toEqual(['awaiting_status', 'awaiting_status']);
    expect(started.checkout.get(newerId)?.isFinal).toBe(false);
  }, 60_000);

  it('a refund whose sibling refund state does not parse is refused (the idempotency key cannot be compared), not sent', async () => {
    emulator = await startKoshelekEmulator({ confirmDelayMs: 50 });
    const dataDir = tempDir('paydesk-persisted-');
    core = await startCore({ configFile: writeTillConfig({ emulator, dataDir }), dataDir, logger: pino({ level: 'silent' }) });
    const paid = await core.checkout.waitFinal((await core.checkout.pay({ orderId: orderId(), amountKop: 30_000, card: card('OK'), paymentType: 'SBP' })).id, 10_000);
    const first = await core.checkout.waitFinal((await core.checkout.refund({ paymentOperationId: paid.id, amountKop: 1_000, clientRequestKey: 'key-1' })).id, 10_000);
    expect(first.outcome).toBe('refunded');
    core.journal.sqlite.prepare('UPDATE operations SET context_json = ? WHERE id = ?').run('{"v":1,"phase":"refunded","ctx":{"clientRequestKey":1}}', first.id);
    const refundsBefore = emulator.received.filter((r) => r.endpoint === 'refund').length;
    await expect(core.checkout.refund({ paymentOperationId: paid.id, amountKop: 1_000, clientRequestKey: 'key-1' })).rejects.toMatchObject({ key: 'operation.state_unreadable' });
    expect(emulator.received.filter((r) => r.endpoint === 'refund').length).toBe(refundsBefore);
  }, 30_000);
});
