// The driver inside the real runner and journal, where the runner's own retry rules meet a
// non-idempotent launch: a journal write that fails after the terminal answered must not relaunch.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { execLaunch, Ledger } from '../../../emulators/terminal';
import { OperationActor } from '../../checkout/runner';
import { openJournal } from '../../journal/database';
import { OperationStore, type OperationWrite } from '../../journal/operations';
import { TerminalClient } from './client';
import { terminalConfigSchema } from './config';
import { TerminalPaymentDriver, terminalIntent } from './driver';
import type { TerminalEvent, TerminalState } from './machine';
import { readTerminalSlip } from './slip';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A disk that fails the first write of the launch's outcome (SQLITE_FULL, a yanked USB stick...). */
class FlakyStore extends OperationStore {
  failures = 0;
  override write(primary: OperationWrite, related: OperationWrite[] = []): void {
    if (this.failures === 0 && primary.events.some((e) => e.type === 'transition' && e.phaseFrom === 'launching')) {
      this.failures += 1;
      throw new Error('SQLITE_FULL: database or disk is full');
    }
    super.write(primary, related);
  }
}

describe('terminal driver in the runner', () => {
  it('the journal write after the answer fails: the runner redoes the step, which becomes a lookup — one charge, paid', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-term-driver-'));
    dirs.push(dir);
    const ledger = new Ledger(path.join(dir, 'terminal-app'));
    const config = terminalConfigSchema.parse({ enabled: true, launch: await execLaunch(ledger.dir, { processingMs: 20 }), timing: { lookupScheduleMs: [0, 100] } });
    if (!config.launch) throw new Error('no launch');
    const journal = openJournal(path.join(dir, 'journal.db'));
    const store = new FlakyStore(journal.sqlite);
    try {
      const ext = randomUUID();
      const { row, state, event } = terminalIntent({ operationId: randomUUID(), orderId: 'o-1', amountMinor: 4_200, currency: 'RUB', shiftId: null, timing: config.timing }, ext, Date.now());
      store.insertIntent(row, [], event);
      const errors: unknown[] = [];
      const driver = new TerminalPaymentDriver(row.id, row, { client: new TerminalClient(config.launch), timing: config.timing }, false);
      const actor = new OperationActor<TerminalState, TerminalEvent>(state, driver, store, { onChange: () => {}, onError: (_id, e) => errors.push(e), onSettled: () => {} });
      actor.start();
      await actor.whenFinal();
      actor.stop();
      expect(store.failures).toBe(1);
      expect(String(errors[0])).toContain('SQLITE_FULL');
      expect(ledger.count(ext)).toEqual({ sales: 1, charges: 1 });
      const saved = store.get(row.id);
      expect(saved).toMatchObject({ outcome: 'paid', attempts: 1, request_id: ext });
      const slip = store.slip(row.id);
      const parsed = readTerminalSlip(slip?.raw_json ?? '');
      expect(parsed.ok && parsed.slip.transaction.rrn).toBe(saved?.transaction_id);
    } finally {
      journal.close();
    }
  });
});
