// A receipt is fiscalized exactly once, against both fiscal emulators (real loopback HTTP, a real
// SQLite journal, the real worker): when the service fails the first sends, is down across a worker
// restart, answers after the till gave up waiting, answers "already exists" / 202, and for twenty
// sales in a row. A refund receipt carries exactly the refunded lines.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openJournal, type Journal } from '../../main/journal/database';
import { OutboxWorker } from '../../main/outbox/worker';
import { getJob, listAttempts } from '../../main/outbox/store';
import { queueView } from '../../main/outbox/views';
import { AtolConnector } from '../../main/fiscal/atol/client';
import { YookassaConnector } from '../../main/fiscal/yookassa/client';
import { enqueueFiscalReceipt, fiscalJobHandlers } from '../../main/fiscal/jobs';
import type { FiscalConnector } from '../../main/fiscal/connector';
import type { FiscalReceipt } from '../../main/fiscal/receipt';
import { startAtolEmulator, type AtolEmulator } from '../../emulators/atol/server';
import { startYookassaEmulator, type YookassaEmulator } from '../../emulators/yookassa/server';
import { FAST_BACKOFF, atolTestConfig, refundOf, sale, yookassaTestConfig } from '../support/fiscal';

/** One fiscal service as the tests see it: its connector and what the emulator registered. */
interface Service {
  name: 'atol' | 'yookassa';
  connector(): FiscalConnector;
  /** Registered documents as (our id, operation, line names). */
  documents(): { externalId: string; operation: string; lines: string[] }[];
  failFirst(n: number): void;
  slowOnce(ms: number): void;
  garbage(n: number): void;
  setDown(down: boolean): void;
  failEverything(): void;
  close(): Promise<void>;
}

async function atolService(): Promise<Service> {
  const emu: AtolEmulator = await startAtolEmulator();
  return {
    name: 'atol',
    connector: () => new AtolConnector(atolTestConfig(emu.baseUrl)),
    documents: () => emu.documents().map((d) => ({ externalId: d.externalId, operation: d.operation, lines: d.request.receipt.items.map((i) => i.name) })),
    failFirst: (n) => emu.setFaults({ failFirst: n }),
    slowOnce: (ms) => emu.setFaults({ slowCount: 1, slowMs: ms }),
    garbage: (n) => emu.setFaults({ garbageCount: n }),
    setDown: (down) => emu.setDown(down),
    failEverything: () => emu.setFaults({ failDocuments: true }),
    close: () => emu.close(),
  };
}

async function yookassaService(): Promise<Service> {
  const emu: YookassaEmulator = await startYookassaEmulator();
  return {
    name: 'yookassa',
    connector: () => new YookassaConnector(yookassaTestConfig(emu.baseUrl)),
    // The emulator knows a receipt by its Idempotence-Key; our id is in the Koshelek block text.
    documents: () => emu.receipts().map((r) => ({
      externalId: /ptx-([^;]+)/.exec(r.request.additional_user_props?.value ?? '')?.[1] ?? '?',
      operation: r.request.type === 'payment' ? 'sell' : 'sell_refund',
      lines: r.request.items.map((i) => i.description),
    })),
    failFirst: (n) => emu.setFaults({ failFirst: n }),
    slowOnce: (ms) => emu.setFaults({ slowCount: 1, slowMs: ms }),
    garbage: (n) => emu.setFaults({ garbageCount: n }),
    setDown: (down) => emu.setDown(down),
    failEverything: () => emu.setFaults({ cancelReceipts: true }),
    close: () => emu.close(),
  };
}

let dir: string;
let journal: Journal;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-fiscal-'));
  journal = openJournal(path.join(dir, 'journal.db'));
});
afterEach(() => {
  journal.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function worker(j: Journal, connector: FiscalConnector): OutboxWorker {
  return new OutboxWorker(j.sqlite, fiscalJobHandlers(connector, FAST_BACKOFF), { maxSleepMs: 20 });
}

async function settle(j: Journal, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (queueView(j.sqlite).some((q) => q.status !== 'failed')) {
    if (Date.now() > end) throw new Error(`queue did not settle: ${JSON.stringify(queueView(j.sqlite))}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Enqueues like the sale flow will: inside the transaction that records the paid sale. */
function paidSale(j: Journal, receipt: FiscalReceipt): number {
  return j.sqlite.transaction(() => {
    j.sqlite.prepare('INSERT OR REPLACE INTO app_meta (key, value) VALUES (?, ?)').run(`sale:${receipt.externalId}`, 'paid');
    return enqueueFiscalReceipt(j.sqlite, receipt).id;
  })();
}

const countBy = (ids: string[]): Record<string, number> => ids.reduce<Record<string, number>>((m, id) => ({ ...m, [id]: (m[id] ?? 0) + 1 }), {});

describe.each([['atol', atolService], ['yookassa', yookassaService]] as const)('%s: exactly one receipt per sale', (_name, makeService) => {
  let service: Service;
  beforeEach(async () => {
    service = await makeService();
  });
  afterEach(async () => {
    await service.close();
  });

  it('when the service fails the first 3 sends', async () => {
    service.failFirst(3);
    const id = paidSale(journal, sale('s1'));
    const w = worker(journal, service.connector());
    w.start();
    await settle(journal);
    await w.stop();
    expect(service.documents().map((d) => d.externalId)).toEqual(['s1']);
    expect(getJob(journal.sqlite, id)).toMatchObject({ state: 'done', attempts: 4 });
    expect(listAttempts(journal.sqlite, id).map((a) => a.error_key)).toEqual(['fiscal.unavailable', 'fiscal.unavailable', 'fiscal.unavailable', null]);
    expect(JSON.parse(getJob(journal.sqlite, id)?.resultJson ?? '{}')).toMatchObject({ provider: service.name, fiscalDocumentNumber: expect.any(String), fiscalSign: expect.any(String) });
  });

  it('when the service is down across a restart of the worker', async () => {
    service.setDown(true);
    const id = paidSale(journal, sale('s2'));
    const first = worker(journal, service.connector());
    first.start();
    const end = Date.now() + 10_000;
    while ((getJob(journal.sqlite, id)?.attempts ?? 0) < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    await first.stop();
    journal.close();
    expect(service.documents()).toHaveLength(0);
    service.setDown(false);
    journal = openJournal(path.join(dir, 'journal.db'));
    const second = worker(journal, service.connector());
    second.start();
    await settle(journal);
    await second.stop();
    expect(service.documents().map((d) => d.externalId)).toEqual(['s2']);
    expect(getJob(journal.sqlite, id)?.state).toBe('done');
  });

  it('when the service answers after the till stopped waiting', async () => {
    service.slowOnce(1_200); // the connector waits 400 ms
    const id = paidSale(journal, sale('s3'));
    const w = worker(journal, service.connector());
    w.start();
    await settle(journal);
    await w.stop();
    await new Promise((r) => setTimeout(r, 1_300)); // the late answer arrives at a till that moved on
    expect(service.documents().map((d) => d.externalId)).toEqual(['s3']);
    const attempts = listAttempts(journal.sqlite, id);
    expect(attempts[0]?.error_key).toBe('fiscal.timeout');
    expect(attempts.at(-1)).toMatchObject({ outcome: 'done', reconciled: 1 });
  });

  it('a hostile answer (HTML instead of JSON) after the service took the receipt is not trusted: checked, not re-created', async () => {
    service.garbage(2);
    const id = paidSale(journal, sale('s6'));
    const w = worker(journal, service.connector());
    w.start();
    await settle(journal);
    await w.stop();
    expect(service.documents().map((d) => d.externalId)).toEqual(['s6']);
    expect(listAttempts(journal.sqlite, id)[0]?.error_key).toBe('fiscal.response_invalid');
    expect(getJob(journal.sqlite, id)?.state).toBe('done');
  });

  it('twenty sales in a row through a flaky service: twenty receipts, each once', async () => {
    service.failFirst(7);
    for (let i = 0; i < 20; i += 1) paidSale(journal, sale(`row-${i}`));
    const w = worker(journal, service.connector());
    w.start();
    await settle(journal, 40_000);
    await w.stop();
    const counts = countBy(service.documents().map((d) => d.externalId));
    expect(Object.keys(counts)).toHaveLength(20);
    expect(Object.values(counts).every((c) => c === 1)).toBe(true);
  });

  it('a refund makes one refund receipt with the refunded lines only, after the sale receipt', async () => {
    service.failFirst(2); // the sale's receipt is retried; the refund must wait for it
    const s = sale('s4');
    paidSale(journal, s);
    const refundJob = paidSale(journal, refundOf(s, 'r4', [1]));
    paidSale(journal, refundOf(s, 'r4', [1])); // the refund recorded twice (double click) is one job
    const w = worker(journal, service.connector());
    w.start();
    await settle(journal);
    await w.stop();
    const docs = service.documents();
    expect(docs.map((d) => d.operation)).toEqual(['sell', 'sell_refund']);
    expect(docs[1]?.lines).toEqual(['Кофе в зёрнах']);
    expect(getJob(journal.sqlite, refundJob)).toMatchObject({ state: 'done', kind: 'fiscal.refund', operationExternalId: 'r4' });
  });

  it('a receipt the service registers as failed stops with the reason; retry now does not duplicate it', async () => {
    service.failEverything();
    const id = paidSale(journal, sale('s5'));
    const w = worker(journal, service.connector());
    w.start();
    await settle(journal);
    expect(queueView(journal.sqlite)[0]).toMatchObject({ status: 'failed', error: { key: 'fiscal.failed' } });
    expect(w.retryNow(id)).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    await settle(journal);
    await w.stop();
    expect(service.documents()).toHaveLength(1);
    expect(getJob(journal.sqlite, id)?.state).toBe('failed');
  });
});

describe('ATOL specifics', () => {
  let emu: AtolEmulator;
  beforeEach(async () => {
    emu = await startAtolEmulator({ processingMs: 150 });
  });
  afterEach(async () => {
    await emu.close();
  });

  it('"already exists" on the first send is success: the report is fetched, nothing re-created', async () => {
    emu.setFaults({ alreadyExistsCount: 1 });
    const id = paidSale(journal, sale('a1'));
    const w = worker(journal, new AtolConnector(atolTestConfig(emu.baseUrl)));
    w.start();
    await settle(journal);
    await w.stop();
    expect(emu.documents().map((d) => d.externalId)).toEqual(['a1']);
    expect(getJob(journal.sqlite, id)?.remoteRef).toBe(emu.documents()[0]?.uuid);
  });

  it('an expired token is renewed once; wrong credentials stop the job with a config reason', async () => {
    const connector = new AtolConnector(atolTestConfig(emu.baseUrl));
    paidSale(journal, sale('a2'));
    const w = worker(journal, connector);
    w.start();
    await settle(journal);
    emu.expireTokens();
    paidSale(journal, sale('a3'));
    await settle(journal);
    await w.stop();
    expect(emu.documents().map((d) => d.externalId)).toEqual(['a2', 'a3']);
    const bad = worker(journal, new AtolConnector(atolTestConfig(emu.baseUrl, { password: 'Pa55-secret-XYZ' })));
    const id = paidSale(journal, sale('a4'));
    expect((await bad.runOnce())?.state).toBe('failed');
    expect(getJob(journal.sqlite, id)?.lastErrorKey).toBe('fiscal.auth');
    expect(JSON.stringify([getJob(journal.sqlite, id), listAttempts(journal.sqlite, id), queueView(journal.sqlite)])).not.toContain('Pa55-secret-XYZ');
  });

  it('a document still processing is polled across attempts with its uuid, not re-sent', async () => {
    const id = paidSale(journal, sale('a5'));
    const w = new OutboxWorker(journal.sqlite, fiscalJobHandlers(new AtolConnector(atolTestConfig(emu.baseUrl, { pollForMs: 0 })), FAST_BACKOFF), { maxSleepMs: 20 });
    w.start();
    await settle(journal);
    await w.stop();
    expect(emu.sendCount()).toBe(1);
    const attempts = listAttempts(journal.sqlite, id);
    expect(attempts[0]).toMatchObject({ outcome: 'retry', error_key: 'fiscal.processing', remote_ref: emu.documents()[0]?.uuid });
    expect(attempts.at(-1)?.outcome).toBe('done');
  });
});

describe('ЮKassa specifics', () => {
  let emu: YookassaEmulator;
  beforeEach(async () => {
    emu = await startYookassaEmulator();
  });
  afterEach(async () => {
    await emu.close();
  });

  it('202 processing is polled with the same Idempotence-Key, never a new one', async () => {
    emu.setFaults({ processingCount: 5, retryAfterMs: 40 });
    const id = paidSale(journal, sale('y1'));
    const w = worker(journal, new YookassaConnector(yookassaTestConfig(emu.baseUrl)));
    w.start();
    await settle(journal);
    await w.stop();
    expect(emu.receipts()).toHaveLength(1);
    expect(new Set(emu.keysSeen()).size).toBe(1);
    expect(emu.keysSeen().length).toBeGreaterThanOrEqual(6);
    expect(getJob(journal.sqlite, id)?.state).toBe('done');
  });

  it('once ЮKassa named the receipt, later attempts read it by id: expired keys cannot duplicate it', async () => {
    await emu.close();
    emu = await startYookassaEmulator({ processingMs: 600 });
    const id = paidSale(journal, sale('y3'));
    const w = new OutboxWorker(journal.sqlite, fiscalJobHandlers(new YookassaConnector(yookassaTestConfig(emu.baseUrl, { pollForMs: 0 })), FAST_BACKOFF), {
      maxSleepMs: 20,
      onJobFinished: () => emu.forgetKeys(), // every key "expires" between attempts
    });
    w.start();
    await settle(journal);
    await w.stop();
    expect(emu.receipts()).toHaveLength(1);
    expect(emu.keysSeen()).toHaveLength(1);
    expect(getJob(journal.sqlite, id)).toMatchObject({ state: 'done', remoteRef: emu.receipts()[0]?.id });
  });

  it('wrong credentials stop the job with a config reason, create nothing and leave no secret in the journal', async () => {
    const id = paidSale(journal, sale('y2'));
    const w = worker(journal, new YookassaConnector(yookassaTestConfig(emu.baseUrl, { secretKey: 'Pa55-secret-XYZ' })));
    expect((await w.runOnce())?.state).toBe('failed');
    expect(getJob(journal.sqlite, id)?.lastErrorKey).toBe('fiscal.auth');
    const stored = JSON.stringify([getJob(journal.sqlite, id), listAttempts(journal.sqlite, id), queueView(journal.sqlite)]);
    expect(stored).not.toContain('Pa55-secret-XYZ');
    expect(stored).not.toContain(Buffer.from('shop-1:Pa55-secret-XYZ').toString('base64'));
    expect(emu.receipts()).toHaveLength(0);
  });
});
