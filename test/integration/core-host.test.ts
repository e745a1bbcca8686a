// The core in its own process (what Electron's utilityProcess runs): the parent only moves envelopes. A Node
// child stands in for the utilityProcess (same host code; only the channel differs). Shutdown waits for the
// core to close its journal; a dead core answers pending calls with an error instead of hanging the window.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { startKoshelekEmulator, type KoshelekEmulator } from '../../emulators/koshelek';
import { connectCoreHost, type CoreClient } from '../../main/shell/core-client';
import { shiftReportSchema, type ApiEvent } from '../../main/contract/api';
import type { HostOutbound } from '../../main/shell/core-host';
import { card, orderId, tempDir, writeTillConfig } from '../support/till';

const HOST = path.join(__dirname, '..', '..', 'main', 'shell', 'core-host.ts');
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function startHost(dataDir: string, configFile: string): { child: ChildProcess; client: CoreClient } {
  const child = fork(HOST, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, PAYDESK_CORE_HOST: '1', PAYDESK_DATA: dataDir, PAYDESK_CONFIG: configFile },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  cleanup.push(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  const client = connectCoreHost({
    post: (m) => { child.send(m); },
    onMessage: (l) => child.on('message', (m) => l(m as HostOutbound)),
    onExit: (l) => child.on('exit', (code) => l(code)),
  });
  return { child, client };
}

describe('core host process', () => {
  it('serves the API and its events from its own process; shutdown waits for the journal to close', async () => {
    const emulator: KoshelekEmulator = await startKoshelekEmulator({ confirmDelayMs: 100 });
    cleanup.push(() => emulator.close());
    const dataDir = tempDir();
    const configFile = writeTillConfig({ emulator, dataDir });
    const { child, client } = startHost(dataDir, configFile);
    await client.ready;
    const events: ApiEvent[] = [];
    client.subscribe((e) => events.push(e));
    const status = await client.invoke('status.get', {});
    expect(status.ok).toBe(true);
    const c = card('OK');
    const paid = await client.invoke('sale.pay', { orderId: orderId(), amountKop: 10000, card: { loyaltyId: c.loyaltyId, payToken: c.cardSession }, paymentType: 'SBP' });
    expect(paid.ok).toBe(true);
    const end = Date.now() + 10_000;
    while (!events.some((e) => e.event === 'operation' && e.payload.outcome === 'paid') && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(events.some((e) => e.event === 'operation' && e.payload.outcome === 'paid')).toBe(true);
    // The X report comes from the report worker as checked text, sent over the channel as text and read here
    // (main/api/pre-serialized.ts): the shell gets the report DTO as before.
    const x = await client.invoke('report.x', {});
    if (!x.ok) throw new Error(`report.x failed: ${JSON.stringify(x.error)}`);
    const report = shiftReportSchema.parse(x.data);
    expect(report.type).toBe('x');
    expect(report.operations.some((l) => paid.ok && l.id === (paid.data as { id: string }).id && l.status === 'paid')).toBe(true);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    expect(await client.shutdown(10_000)).toBe(true);
    expect(await exited).toBe(0);
    // Closed cleanly: the WAL was checkpointed and the file is readable with the payment in it.
    const db = new Database(path.join(dataDir, 'journal.db'), { readonly: true });
    expect((db.prepare("SELECT COUNT(*) AS n FROM operations WHERE outcome = 'paid'").get() as { n: number }).n).toBe(1);
    db.close();
  });

  it('a core process that dies answers pending and later calls with an error, never a hang', async () => {
    const emulator: KoshelekEmulator = await startKoshelekEmulator({ confirmDelayMs: 100 });
    cleanup.push(() => emulator.close());
    emulator.injectFault({ endpoint: 'availability', kind: 'delay', delayMs: 5_000 });
    const dataDir = tempDir();
    const configFile = writeTillConfig({ emulator, dataDir });
    const { child, client } = startHost(dataDir, configFile);
    await client.ready;
    const c = card('OK');
    const pending = client.invoke('sale.availability', { orderId: orderId(), amountKop: 10000, card: { loyaltyId: c.loyaltyId, payToken: c.cardSession } });
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGKILL');
    const answer = await pending;
    expect(answer.ok).toBe(false);
    expect((await client.invoke('status.get', {})).ok).toBe(false);
  });
});
