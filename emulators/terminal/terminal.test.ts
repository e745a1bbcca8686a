// The terminal emulator's answer modes as a test instrument: what each mode writes on the wire and what
// its durable ledger records (the tests' "how many charges" truth), in process and as the launched program.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TerminalClient } from '../../main/payapi/terminal/client';
import { initialTerminalPayment, reduceTerminal, terminalOutcome } from '../../main/payapi/terminal/machine';
import { execLaunch, Ledger, spawnTerminalServer, type FaultMode } from './index';
import { handleRequest } from './terminal';

const dirs: string[] = [];
const stateDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-term-emu-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

let n = 0;
const newId = () => `emu-${process.pid}-${Date.now()}-${(n += 1)}`;

/** One sale through the emulator in this process: the lines it wrote and the ledger after. */
async function saleInProcess(fault: FaultMode, amountMinor = 12_345) {
  const ledger = new Ledger(stateDir());
  const id = newId();
  const lines: string[] = [];
  await new Promise<void>((resolve) => {
    void handleRequest({ v: 1, operation: 'sale', operationExternalId: id, amountMinor, currency: 'RUB' }, {
      ledger, defaultFault: fault, processingMs: 1, slowMs: 1, terminalId: 'EMU00001', merchantId: '200000000001056', crash: 'connection',
    }, { line: (l) => lines.push(l), end: resolve, die: resolve });
  });
  return { id, ledger, lines: lines.map((l) => JSON.parse(l) as { resultCode: string; transaction: { amountMinor: number; currency: string; status: string } }) };
}

describe('terminal emulator answer modes', () => {
  it('wrong_amount: approves and charges another amount than asked; the ledger records the charge', async () => {
    const { id, ledger, lines } = await saleInProcess('wrong_amount');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ resultCode: 'OK', transaction: { status: 'APPROVED', amountMinor: 12_445, currency: 'RUB' } });
    expect(ledger.count(id)).toEqual({ sales: 1, charges: 1 });
  });

  it('numeric_currency: the answer names the currency by its ISO number, the ledger by its code', async () => {
    const { id, ledger, lines } = await saleInProcess('numeric_currency');
    expect(lines[0]).toMatchObject({ resultCode: 'OK', transaction: { amountMinor: 12_345, currency: '643' } });
    expect(ledger.forOperation(id)[0]).toMatchObject({ currency: 'RUB', charged: true });
  });

  it('queued faults are consumed one per sale, then the default applies', async () => {
    const dir = stateDir();
    const ledger = new Ledger(dir);
    ledger.queueFaults(['decline', 'cancel']);
    const client = new TerminalClient(await execLaunch(dir, { processingMs: 20 }));
    const statuses: (string | undefined)[] = [];
    for (let i = 0; i < 3; i += 1) {
      const outcome = await client.sale({ operationExternalId: newId(), amountMinor: 500, currency: 'RUB' }, 15_000);
      statuses.push(outcome.kind === 'answer' ? outcome.answer.transaction?.status : outcome.kind);
    }
    expect(statuses).toEqual(['DECLINED', 'CANCELLED', 'APPROVED']);
    expect(ledger.transactions().filter((t) => t.charged)).toHaveLength(1);
  });

  it('through the real client and machine: numeric currency is paid, a wrong amount is never paid', async () => {
    const dir = stateDir();
    const client = new TerminalClient(await execLaunch(dir, { processingMs: 20 }));
    const ledger = new Ledger(dir);
    const outcomes: (string | null)[] = [];
    for (const fault of ['numeric_currency', 'wrong_amount'] as const) {
      ledger.queueFaults([fault]);
      const id = newId();
      const start = initialTerminalPayment({ operationExternalId: id, orderId: `o-${id}`, amountMinor: 12_345, currency: 'RUB', lookupScheduleMs: [0], unresolvedAfterMs: 60_000 }, 0);
      const outcome = await client.sale({ operationExternalId: id, amountMinor: 12_345, currency: 'RUB' }, 15_000);
      const state = reduceTerminal(start, { type: 'sale_outcome', outcome }, 1);
      outcomes.push(`${state.phase}/${terminalOutcome(state)}/${state.ctx.errorKey}`);
    }
    expect(outcomes).toEqual(['paid/paid/null', 'mismatch/failed/terminal.integrity_mismatch']);
  });

  it('a CP1251 vendor app (launched and as a TCP endpoint): read right by a till configured for windows-1251', async () => {
    const dir = stateDir();
    const server = await spawnTerminalServer('tcp', dir, { processingMs: 20, encoding: 'windows-1251' });
    try {
      for (const launch of [await execLaunch(dir, { processingMs: 20, encoding: 'windows-1251' }), server.launch]) {
        const client = new TerminalClient(launch, 'windows-1251');
        const id = newId();
        const outcome = await client.sale({ operationExternalId: id, amountMinor: 700, currency: 'RUB' }, 15_000);
        expect(outcome.kind === 'answer' && outcome.answer.transaction?.message).toBe('ОДОБРЕНО');
        const lookup = await client.lookup(id, 15_000);
        expect(lookup.kind === 'answer' && lookup.answer.result?.transaction?.slip).toContain('ОДОБРЕНО');
      }
    } finally {
      await server.stop();
    }
  });

  it('a CP1251 vendor app read as UTF-8 (misconfigured till): the amounts still parse, the Russian text arrives garbled', async () => {
    const dir = stateDir();
    const client = new TerminalClient(await execLaunch(dir, { processingMs: 20, encoding: 'windows-1251' }), 'utf-8');
    const outcome = await client.sale({ operationExternalId: newId(), amountMinor: 700, currency: 'RUB' }, 15_000);
    expect(outcome.kind).toBe('answer');
    const tx = outcome.kind === 'answer' ? outcome.answer.transaction : null;
    expect(tx).toMatchObject({ status: 'APPROVED', amountMinor: 700 });
    expect(tx?.message).not.toBe('ОДОБРЕНО');
    expect(tx?.message).toContain('\uFFFD');
  });

  it('stale: replays the previous sale\'s answer (another id), charges nothing, records this sale as aborted', async () => {
    const dir = stateDir();
    const ledger = new Ledger(dir);
    const client = new TerminalClient(await execLaunch(dir, { processingMs: 20 }));
    const first = newId();
    await client.sale({ operationExternalId: first, amountMinor: 900, currency: 'RUB' }, 15_000);
    ledger.queueFaults(['stale']);
    const second = newId();
    const outcome = await client.sale({ operationExternalId: second, amountMinor: 900, currency: 'RUB' }, 15_000);
    expect(outcome).toMatchObject({ kind: 'unknown', fault: 'garbage', detail: 'answer for another operation' });
    expect(ledger.count(second)).toEqual({ sales: 1, charges: 0 });
    expect(ledger.forOperation(second)[0]?.answer?.transaction?.status).toBe('ABORTED');
    expect(ledger.count(first)).toEqual({ sales: 1, charges: 1 });
  });
});
