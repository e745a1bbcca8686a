// Pure parts of the core's fiscal wiring: the production safety rule and the cashier's receipt line.
import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema';
import type { JobRecord } from '../outbox/store';
import { fiscalSafetyProblem, receiptViewOfJob } from './fiscal';

const atol = (baseUrl: string, emulator: boolean) => ({
  connector: 'atol' as const,
  atol: { baseUrl, emulator, login: 'l', password: 'p', groupCode: 'g', company: { inn: '7707083893', paymentAddress: 'a' } },
});

describe('fiscalSafetyProblem', () => {
  it('production never registers receipts with an emulator (flag or loopback address); other environments may', () => {
    const prod = (fiscal: ReturnType<typeof atol>) => ({ fiscal: configSchema.shape.fiscal.parse(fiscal), koshelek: { environment: 'production' } });
    expect(fiscalSafetyProblem(prod(atol('http://127.0.0.1:8788/possystem/v5/', false)))).toMatch(/loopback/);
    expect(fiscalSafetyProblem(prod(atol('https://online.atol.ru/possystem/v5/', true)))).toMatch(/emulator: true/);
    expect(fiscalSafetyProblem(prod(atol('https://online.atol.ru/possystem/v5/', false)))).toBeNull();
    expect(fiscalSafetyProblem({ fiscal: configSchema.shape.fiscal.parse(atol('http://127.0.0.1:1/', true)), koshelek: { environment: 'test' } })).toBeNull();
    expect(fiscalSafetyProblem({ fiscal: configSchema.shape.fiscal.parse({}), koshelek: { environment: 'production' } })).toBeNull();
  });
});

describe('receiptViewOfJob', () => {
  const job = (over: Partial<JobRecord>): JobRecord => ({
    id: 7, kind: 'fiscal.sell', queueKey: 'fiscal:op', dedupeKey: 'fiscal.sell:op', operationExternalId: 'op', payloadVersion: 1, payloadJson: '{}',
    state: 'queued', attempts: 0, runAfterMs: Date.parse('2026-11-30T09:00:10.000Z'), remoteRef: null, lastErrorKey: null, lastError: null,
    resultJson: null, createdAt: '', updatedAt: '', finishedAt: null, ...over,
  });
  it('queued → «Чек в очереди»; retrying with the next attempt; done with ФД/ФП; failed with the reason and the finish offer', () => {
    expect(receiptViewOfJob(job({}))).toMatchObject({ state: 'queued', textRu: 'Чек в очереди', canFinish: false, jobId: 7 });
    expect(receiptViewOfJob(job({ attempts: 2, lastErrorKey: 'fiscal.unavailable' }))).toMatchObject({ state: 'retrying', nextAttemptAt: '2026-11-30T09:00:10.000Z', canFinish: true, error: { key: 'fiscal.unavailable' } });
    expect(receiptViewOfJob(job({ state: 'done', attempts: 1, resultJson: '{"fiscalDocumentNumber":"123","fiscalSign":"4567890"}' }))).toMatchObject({ state: 'done', textRu: 'Чек пробит', documentNumber: '123', fiscalSign: '4567890' });
    const failed = receiptViewOfJob(job({ state: 'failed', attempts: 1, lastErrorKey: 'fiscal.auth', lastError: 'HTTP 401' }));
    expect(failed).toMatchObject({ state: 'failed', canFinish: true });
    expect(failed.textRu).toMatch(/^Чек не пробит: Касса не авторизована/);
    expect(receiptViewOfJob(job({ state: 'done', resultJson: 'not json' }))).toMatchObject({ state: 'done' });
  });
});
