import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { execLaunch, Ledger } from '../../emulators/terminal';
import { OperationActor } from '../checkout/runner';
import { openJournal } from '../journal/database';
import { OperationStore } from '../journal/operations';
import { CAPABILITIES, type PackedRun } from './types';
import { findProvider, PROVIDERS } from './registry';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-registry-'));
  dirs.push(d);
  return d;
};

/** Runs a packed payment to its end through the real runner and journal; reports what the journal holds. */
async function drive(run: PackedRun, store: OperationStore): Promise<{ phase: string; launches: number }> {
  const id = await run.use(async (r) => {
    const actor = new OperationActor(r.state, r.driver, store, { onChange: () => {}, onError: () => {}, onSettled: () => {} });
    if (r.recoveryEvent) actor.dispatch(r.recoveryEvent);
    else actor.start();
    await actor.whenFinal();
    actor.stop();
    return r.driver.operationId;
  });
  const row = store.get(id);
  return { phase: String(row?.phase), launches: Number(row?.attempts) };
}

describe('provider registry', () => {
  it('names are unique and capabilities come from the one list', () => {
    expect(new Set(PROVIDERS.map((p) => p.name)).size).toBe(PROVIDERS.length);
    for (const p of PROVIDERS) for (const c of p.capabilities) expect(CAPABILITIES).toContain(c);
    expect(findProvider('terminal')?.methods[0]).toMatchObject({ id: 'card', needsCardScan: false });
    expect(findProvider('koshelek')?.capabilities.has('webhooks')).toBe(true);
    expect(findProvider('nope')).toBeNull();
  });

  it('a bad config section is refused with a clear message naming the field; Koshelek is described, not wired', () => {
    const terminal = findProvider('terminal');
    expect(terminal?.configure({ enabled: true })).toMatchObject({ ok: false, problem: expect.stringContaining('terminal.launch') });
    expect(terminal?.configure({ enabled: true, launch: { mode: 'tcp', host: '10.0.0.5', port: 9000 } })).toMatchObject({ ok: false, problem: expect.stringContaining('loopback') });
    expect(terminal?.configure({ enabled: true, launch: { mode: 'http', url: 'http://example.com/pay' } })).toMatchObject({ ok: false });
    expect(terminal?.configure({ currency: '999' })).toMatchObject({ ok: false });
    expect(terminal?.configure({ enabled: true, launch: { mode: 'exec', executable: 'megapay', args: [] } })).toMatchObject({ ok: false, problem: expect.stringContaining('absolute path') });
    expect(findProvider('koshelek')?.configure({})).toMatchObject({ ok: true, payments: null });
  });

  it('terminal factory: begin → paid through the runner and journal; resume of an unlaunched row asks first and never launches', async () => {
    const dir = tmp();
    const ledger = new Ledger(path.join(dir, 'terminal-app'));
    const configured = findProvider('terminal')?.configure({ enabled: true, launch: await execLaunch(ledger.dir, { processingMs: 20 }), timing: { lookupScheduleMs: [0, 100] } });
    if (!configured?.ok || !configured.payments) throw new Error('terminal not configured');
    const journal = openJournal(path.join(dir, 'journal.db'));
    const store = new OperationStore(journal.sqlite);
    try {
      const ext = randomUUID();
      const started = configured.payments.begin({ operationId: randomUUID(), operationExternalId: ext, orderId: 'o-1', amountMinor: 5_000, shiftId: null, methodId: 'card' }, Date.now());
      store.insertIntent(started.row, [], started.event);
      expect(await drive(started.run, store)).toEqual({ phase: 'paid', launches: 1 });
      expect(ledger.count(ext)).toEqual({ sales: 1, charges: 1 });
      expect(store.get(started.row.id)).toMatchObject({ provider: 'terminal', outcome: 'paid', request_id: ext, pay_token: null, loyalty_id: null });

      // A row left in 'launching' by a crash: the resumed run must look up, never launch.
      const ext2 = randomUUID();
      const crashed = configured.payments.begin({ operationId: randomUUID(), operationExternalId: ext2, orderId: 'o-2', amountMinor: 5_000, shiftId: null, methodId: 'card' }, Date.now());
      store.insertIntent(crashed.row, [], crashed.event);
      const row = store.get(crashed.row.id);
      if (!row) throw new Error('no row');
      const resumed = configured.payments.resume(row);
      if (!resumed.ok) throw new Error(resumed.reason);
      expect(await drive(resumed.run, store)).toEqual({ phase: 'failed', launches: 0 });
      expect(ledger.count(ext2)).toEqual({ sales: 0, charges: 0 });
      expect(store.get(row.id)).toMatchObject({ error_key: 'terminal.not_started', recovered: 1 });

      // A damaged context is refused, not cast.
      expect(configured.payments.resume({ ...row, context_json: '{"v":1,"phase":"paid"}' })).toMatchObject({ ok: false });
    } finally {
      journal.close();
    }
  });
});
