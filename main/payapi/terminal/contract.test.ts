// parseAnswers against inputs we did not make: random bytes, random JSON, real answers mangled.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_ANSWER_BYTES, parseAnswers, saleAnswerSchema, transactionSchema } from './contract';

const ID = 'op-contract-1';
const good = { v: 1, kind: 'sale', operationExternalId: ID, resultCode: 'OK', transaction: { time: '2026-11-30T05:00:00Z', method: 'card', type: 'sale', status: 'APPROVED', amountMinor: 100, currency: 'RUB', terminalId: 'T1' } };

describe('terminal contract parsing', () => {
  it('never throws and never yields an answer for arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 500 }), (text) => {
      const r = parseAnswers(text, saleAnswerSchema, ID);
      return r.kind !== 'answer';
    }), { numRuns: 2_000 });
  });

  it('arbitrary JSON values are garbage, never an answer', () => {
    fc.assert(fc.property(fc.json(), (json) => parseAnswers(json, saleAnswerSchema, ID).kind !== 'answer'), { numRuns: 1_000 });
  });

  it('a real answer survives CRLF, blank lines and an identical repeat; any field mangled is garbage', () => {
    const line = JSON.stringify(good);
    expect(parseAnswers(`\r\n${line}\r\n\r\n${line}\r\n`, saleAnswerSchema, ID)).toMatchObject({ kind: 'answer', duplicates: 1 });
    const mangles: Record<string, unknown>[] = [
      { ...good, v: 2 },
      { ...good, resultCode: 'ok' },
      { ...good, transaction: { ...good.transaction, amountMinor: 100.5 } },
      { ...good, transaction: { ...good.transaction, amountMinor: -1 } },
      { ...good, transaction: { ...good.transaction, currency: '999' } },
      { ...good, transaction: { ...good.transaction, time: 'yesterday' } },
      { ...good, transaction: { ...good.transaction, maskedCard: '4111 1111 1111 1111' } },
      { ...good, transaction: { ...good.transaction, status: 'SUCCESS' } },
    ];
    for (const m of mangles) expect(parseAnswers(JSON.stringify(m), saleAnswerSchema, ID).kind, JSON.stringify(m)).toBe('garbage');
  });

  it('caps: too many lines or bytes is garbage; differing answers are a conflict', () => {
    const line = JSON.stringify(good);
    expect(parseAnswers(Array(5).fill(line).join('\n'), saleAnswerSchema, ID).kind).toBe('garbage');
    expect(parseAnswers(`${line}\n${' '.repeat(MAX_ANSWER_BYTES)}`, saleAnswerSchema, ID).kind).toBe('garbage');
    expect(parseAnswers(`${line}\n${JSON.stringify({ ...good, resultCode: 'FAIL' })}`, saleAnswerSchema, ID)).toEqual({ kind: 'conflict', count: 2 });
  });

  it('numeric currency from a terminal is normalised to ISO alpha', () => {
    expect(transactionSchema.parse({ ...good.transaction, currency: '643' }).currency).toBe('RUB');
  });
});
