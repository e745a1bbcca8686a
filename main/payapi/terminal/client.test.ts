// The terminal client against the real emulator program (launched per operation, or serving TCP/HTTP
// in its own process), plus programs and servers we did not write (echo, false, yes, a hostile server).
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { execLaunch, Ledger, spawnTerminalServer, startEmbeddedTerminalEmulator, type FaultMode, type TerminalServerProcess } from '../../../emulators/terminal';
import { TerminalClient, type TerminalOutcome } from './client';
import type { LookupAnswer, SaleAnswer } from './contract';

const dirs: string[] = [];
const stateDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-term-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

let n = 0;
const newId = () => `op-${process.pid}-${Date.now()}-${(n += 1)}`;
const SALE_MS = 15_000;

function answerOf<T>(o: TerminalOutcome<T>): T {
  if (o.kind !== 'answer') throw new Error(`expected an answer, got ${JSON.stringify(o)}`);
  return o.answer;
}

async function saleWith(fault: FaultMode, timeoutMs = SALE_MS) {
  const dir = stateDir();
  const client = new TerminalClient(await execLaunch(dir, { fault, processingMs: 50, slowMs: 1_500 }));
  const id = newId();
  const outcome = await client.sale({ operationExternalId: id, amountMinor: 12_345, currency: 'RUB' }, timeoutMs);
  return { client, id, outcome, ledger: new Ledger(dir) };
}

describe('terminal client, launched program (exec)', () => {
  it('approved: OK with the transaction parameters; one charge in the terminal ledger', async () => {
    const { outcome, id, ledger, client } = await saleWith('approve');
    const a = answerOf(outcome);
    expect(a.resultCode).toBe('OK');
    expect(a.transaction).toMatchObject({ status: 'APPROVED', amountMinor: 12_345, currency: 'RUB', terminalId: 'EMU00001' });
    expect(a.transaction?.rrn).toMatch(/^\d{12}$/);
    expect(a.transaction?.maskedCard).toMatch(/^\d{6}\*{6}\d{4}$/);
    expect(ledger.count(id)).toEqual({ sales: 1, charges: 1 });
    const l: LookupAnswer = answerOf(await client.lookup(id, SALE_MS));
    expect([l.state, l.result?.transaction?.rrn]).toEqual(['done', a.transaction?.rrn]);
  });

  it.each([['decline', 'DECLINED'], ['cancel', 'CANCELLED']] as const)('%s: FAIL/%s, nothing charged', async (fault, status) => {
    const { outcome, id, ledger } = await saleWith(fault);
    const a: SaleAnswer = answerOf(outcome);
    expect([a.resultCode, a.transaction?.status]).toEqual(['FAIL', status]);
    expect(ledger.count(id)).toEqual({ sales: 1, charges: 0 });
  });

  it('slow: answered within the timeout', async () => {
    const { outcome } = await saleWith('slow');
    expect(answerOf(outcome).resultCode).toBe('OK');
  });

  it('crash after the charge: killed, unknown; the lookup finds the charge', async () => {
    const { outcome, id, ledger, client } = await saleWith('crash');
    expect(outcome).toMatchObject({ kind: 'unknown', fault: 'killed' });
    expect(ledger.count(id)).toEqual({ sales: 1, charges: 1 });
    expect(answerOf(await client.lookup(id, SALE_MS))).toMatchObject({ state: 'done', result: { resultCode: 'OK' } });
  });

  it('crash before the charge: unknown; the lookup says aborted, nothing charged', async () => {
    const { outcome, id, ledger, client } = await saleWith('crash_before_charge');
    expect(outcome.kind).toBe('unknown');
    expect(answerOf(await client.lookup(id, SALE_MS))).toMatchObject({ state: 'done', result: { resultCode: 'FAIL', transaction: { status: 'ABORTED' } } });
    expect(ledger.count(id).charges).toBe(0);
  });

  it('garbage answer: unknown (not a failure); the lookup finds what really happened', async () => {
    const { outcome, id, client } = await saleWith('garbage');
    expect(outcome).toMatchObject({ kind: 'unknown', fault: 'garbage' });
    expect(answerOf(await client.lookup(id, SALE_MS))).toMatchObject({ state: 'done', result: { resultCode: 'OK' } });
  });

  it('answering twice the same: one answer, the repeat counted', async () => {
    const { outcome } = await saleWith('double');
    expect(outcome).toMatchObject({ kind: 'answer', duplicates: 1, answer: { resultCode: 'OK' } });
  });

  it('answering twice differently: a conflict, resolved by lookup, never by picking one', async () => {
    const { outcome } = await saleWith('double_conflict');
    expect(outcome).toMatchObject({ kind: 'unknown', fault: 'conflict' });
  });

  it('hang: timeout, the program is killed; the terminal later reports it aborted (never charged)', async () => {
    const { outcome, id, client, ledger } = await saleWith('hang', 1_500);
    expect(outcome).toMatchObject({ kind: 'unknown', fault: 'timeout' });
    expect(answerOf(await client.lookup(id, SALE_MS))).toMatchObject({ state: 'done', result: { transaction: { status: 'ABORTED' } } });
    expect(ledger.count(id)).toEqual({ sales: 1, charges: 0 });
  });

  it('lookup of an id the terminal never saw: not_found', async () => {
    const client = new TerminalClient(await execLaunch(stateDir()));
    expect(answerOf(await client.lookup(newId(), SALE_MS)).state).toBe('not_found');
  });

  it('application missing: not delivered (provably nothing started)', async () => {
    const client = new TerminalClient({ mode: 'exec', executable: '/nonexistent/megapay', args: [] });
    expect(await client.sale({ operationExternalId: newId(), amountMinor: 100, currency: 'RUB' }, SALE_MS)).toMatchObject({ kind: 'not_delivered', fault: 'missing' });
  });

  it('a Windows-style application answering in CP1251 is read right when the config says so', async () => {
    const id = newId();
    const answer = { v: 1, kind: 'sale', operationExternalId: id, resultCode: 'OK', transaction: { time: '2026-11-30T05:00:00+03:00', method: 'card', type: 'sale', status: 'APPROVED', amountMinor: 100, currency: '643', terminalId: 'T1', message: 'ОДОБРЕНО', slip: ['СУММА: 1.00'] } };
    const b64 = iconv.encode(`${JSON.stringify(answer)}\r\n`, 'windows-1251').toString('base64');
    const launch = { mode: 'exec' as const, executable: process.execPath, args: ['-e', "process.stdout.write(Buffer.from(process.argv[1], 'base64'))", b64] };
    const req = { operationExternalId: id, amountMinor: 100, currency: 'RUB' };
    const cp1251 = answerOf(await new TerminalClient(launch, 'windows-1251').sale(req, SALE_MS));
    expect([cp1251.transaction?.message, cp1251.transaction?.slip?.[0], cp1251.transaction?.currency]).toEqual(['ОДОБРЕНО', 'СУММА: 1.00', 'RUB']);
    const misread = answerOf(await new TerminalClient(launch, 'utf-8').sale(req, SALE_MS));
    expect(misread.transaction?.message).not.toBe('ОДОБРЕНО');
  });

  it('programs we did not write: silent failure, chatter, a flood', async () => {
    const req = { operationExternalId: newId(), amountMinor: 100, currency: 'RUB' };
    expect(await new TerminalClient({ mode: 'exec', executable: '/bin/false', args: [] }).sale(req, SALE_MS)).toMatchObject({ kind: 'unknown', fault: 'exit' });
    expect(await new TerminalClient({ mode: 'exec', executable: '/bin/echo', args: ['{operation}', '{amountMinor}'] }).sale(req, SALE_MS)).toMatchObject({ kind: 'unknown', fault: 'garbage' });
    expect(await new TerminalClient({ mode: 'exec', executable: '/usr/bin/yes', args: [] }).sale(req, SALE_MS)).toMatchObject({ kind: 'unknown', fault: 'garbage' });
    expect(await new TerminalClient({ mode: 'exec', executable: '/bin/sleep', args: ['30'] }).sale(req, 500)).toMatchObject({ kind: 'unknown', fault: 'timeout' });
  });
});

describe('terminal client, local endpoints in their own process', () => {
  const servers: TerminalServerProcess[] = [];
  afterAll(async () => {
    for (const s of servers) await s.stop();
  });

  it.each(['tcp', 'http'] as const)('%s: approve, decline via the fault queue, lookup', async (transport) => {
    const dir = stateDir();
    const server = await spawnTerminalServer(transport, dir, { processingMs: 50 });
    servers.push(server);
    const client = new TerminalClient(server.launch);
    const id = newId();
    expect(answerOf(await client.sale({ operationExternalId: id, amountMinor: 700, currency: '643' }, SALE_MS))).toMatchObject({ resultCode: 'OK', transaction: { currency: 'RUB', amountMinor: 700 } });
    server.ledger.queueFaults(['decline', 'garbage', 'double_conflict']);
    expect(answerOf(await client.sale({ operationExternalId: newId(), amountMinor: 700, currency: 'RUB' }, SALE_MS)).transaction?.status).toBe('DECLINED');
    expect(await client.sale({ operationExternalId: newId(), amountMinor: 700, currency: 'RUB' }, SALE_MS)).toMatchObject({ kind: 'unknown', fault: 'garbage' });
    expect(await client.sale({ operationExternalId: newId(), amountMinor: 700, currency: 'RUB' }, SALE_MS)).toMatchObject({ kind: 'unknown', fault: 'conflict' });
    expect(answerOf(await client.lookup(id, SALE_MS))).toMatchObject({ state: 'done', result: { resultCode: 'OK' } });
  });

  it.each(['tcp', 'http'] as const)('%s: the terminal app crashes mid-transaction; restarted, its lookup finds the one charge', async (transport) => {
    const dir = stateDir();
    const server = await spawnTerminalServer(transport, dir, { processingMs: 50, fault: 'crash' });
    const id = newId();
    const outcome = await new TerminalClient(server.launch).sale({ operationExternalId: id, amountMinor: 900, currency: 'RUB' }, SALE_MS);
    expect(outcome.kind).toBe('unknown');
    await server.exited;
    expect(server.child.signalCode).toBe('SIGKILL');
    const down = await new TerminalClient(server.launch).lookup(id, SALE_MS);
    expect(down).toMatchObject({ kind: 'not_delivered', fault: 'refused' });
    const again = await spawnTerminalServer(transport, dir, { port: server.port });
    servers.push(again);
    expect(answerOf(await new TerminalClient(again.launch).lookup(id, SALE_MS))).toMatchObject({ state: 'done', result: { resultCode: 'OK' } });
    expect(again.ledger.count(id)).toEqual({ sales: 1, charges: 1 });
  });

  it('tcp hang: timeout; while the terminal still runs it, lookup says in_progress', async () => {
    const dir = stateDir();
    const server = await spawnTerminalServer('tcp', dir, { fault: 'hang' });
    servers.push(server);
    const client = new TerminalClient(server.launch);
    const id = newId();
    expect(await client.sale({ operationExternalId: id, amountMinor: 100, currency: 'RUB' }, 1_000)).toMatchObject({ kind: 'unknown', fault: 'timeout' });
    expect(answerOf(await client.lookup(id, SALE_MS)).state).toBe('in_progress');
  });

  it('hostile endpoints: HTTP 500, an HTML page, an answer for another operation, a full card number', async () => {
    const id = newId();
    const bodies: [number, string][] = [
      [500, '{}'],
      [200, '<html>router login</html>'],
      [200, JSON.stringify({ v: 1, kind: 'sale', operationExternalId: 'someone-elses-op', resultCode: 'OK' })],
      [200, JSON.stringify({ v: 1, kind: 'sale', operationExternalId: id, resultCode: 'OK', transaction: { time: '2026-11-30T05:00:00Z', method: 'card', type: 'sale', status: 'APPROVED', amountMinor: 100, currency: 'RUB', terminalId: 'T', maskedCard: '2200001234561234' } })],
    ];
    let i = 0;
    const hostile = http.createServer((_req, res) => {
      const [status, body] = bodies[i++] ?? [200, ''];
      res.writeHead(status).end(body);
    });
    await new Promise<void>((r) => hostile.listen(0, '127.0.0.1', () => r()));
    const port = (hostile.address() as net.AddressInfo).port;
    const client = new TerminalClient({ mode: 'http', url: `http://127.0.0.1:${port}/` });
    const faults = [];
    for (let k = 0; k < bodies.length; k += 1) faults.push((await client.sale({ operationExternalId: id, amountMinor: 100, currency: 'RUB' }, SALE_MS)) as { fault?: string });
    hostile.close();
    expect(faults.map((f) => f.fault)).toEqual(['http', 'garbage', 'garbage', 'garbage']);
  });

  it('a TCP peer that resets mid-answer: unknown, not a failure', async () => {
    const peer = net.createServer((s) => {
      s.write('{"v":1,"kind":"sa');
      setTimeout(() => s.resetAndDestroy(), 20);
    });
    await new Promise<void>((r) => peer.listen(0, '127.0.0.1', () => r()));
    const port = (peer.address() as net.AddressInfo).port;
    const outcome = await new TerminalClient({ mode: 'tcp', host: '127.0.0.1', port }).sale({ operationExternalId: newId(), amountMinor: 100, currency: 'RUB' }, SALE_MS);
    peer.close();
    expect(outcome.kind).toBe('unknown');
  });
});

describe('embedded demo emulator', () => {
  it('serves the same contract in-process; a crash fault loses the answer without killing the till', async () => {
    const dir = stateDir();
    const embedded = await startEmbeddedTerminalEmulator(dir);
    try {
      const client = new TerminalClient(embedded.launch);
      const id = newId();
      expect(answerOf(await client.sale({ operationExternalId: id, amountMinor: 300, currency: 'RUB' }, SALE_MS)).resultCode).toBe('OK');
      new Ledger(dir).queueFaults(['crash']);
      const crashed = newId();
      expect((await client.sale({ operationExternalId: crashed, amountMinor: 300, currency: 'RUB' }, SALE_MS)).kind).toBe('unknown');
      expect(answerOf(await client.lookup(crashed, SALE_MS))).toMatchObject({ state: 'done', result: { resultCode: 'OK' } });
    } finally {
      await embedded.close();
    }
  });
});
