// The emulated payment application: answers sale and lookup requests of the app-to-app contract
// (docs/providers.md) with scripted faults. Transport-neutral: it writes answer lines to a sink.
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { terminalRequestSchema, type SaleAnswer, type TerminalTransaction } from '../../main/payapi/terminal/contract';
import { Ledger, type FaultMode } from './ledger';

export interface TerminalOptions {
  ledger: Ledger;
  /** Fault used when faults.json has none queued. */
  defaultFault: FaultMode;
  /** Time the customer takes at the terminal (tap, PIN, host). */
  processingMs: number;
  slowMs: number;
  terminalId: string;
  merchantId: string;
  /** 'process': a crash kills this process (a real app crash); 'connection': only the answer is lost (embedded). */
  crash: 'process' | 'connection';
  /** Bytes on the wire (default UTF-8); 'windows-1251' emulates a vendor app that reads and writes CP1251. */
  encoding?: 'utf-8' | 'windows-1251';
}

export interface Sink {
  line(text: string): void;
  /** The answer is complete. */
  end(): void;
  /** The application died: nothing more will be written. */
  die(): void;
}

/** ISO 4217 numeric codes the emulator can write instead of the alpha code. */
const NUMERIC_OF: Readonly<Record<string, string>> = { RUB: '643', USD: '840', EUR: '978', KZT: '398' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function transaction(opts: TerminalOptions, amountMinor: number, currency: string, status: TerminalTransaction['status'], responseCode: string, message: string): TerminalTransaction {
  const approved = status === 'APPROVED';
  return {
    time: new Date().toISOString(),
    method: 'card',
    type: 'sale',
    status,
    amountMinor,
    currency,
    rrn: String(randomInt(100_000, 999_999)) + String(randomInt(100_000, 999_999)),
    authCode: approved ? randomBytes(3).toString('hex').toUpperCase() : null,
    maskedCard: `220000******${String(randomInt(1000, 9999))}`,
    terminalId: opts.terminalId,
    merchantId: opts.merchantId,
    transactionId: String(randomInt(1, 999_999)).padStart(6, '0'),
    responseCode,
    message,
    qr: null,
    keys: null,
    slip: [`ТЕРМИНАЛ ${opts.terminalId}`, 'ОПЛАТА', `СУММА: ${(amountMinor / 100).toFixed(2)} ${currency}`, approved ? 'ОДОБРЕНО' : message],
  };
}

export async function handleRequest(input: unknown, opts: TerminalOptions, sink: Sink): Promise<void> {
  const parsed = terminalRequestSchema.safeParse(input);
  if (!parsed.success) {
    sink.line(JSON.stringify({ v: 1, error: 'bad request', issues: parsed.error.issues.map((i) => i.message) }));
    sink.end();
    return;
  }
  const request = parsed.data;
  const { ledger } = opts;
  const id = request.operationExternalId;
  if (request.operation === 'lookup') {
    const last = ledger.forOperation(id).at(-1);
    if (!last) sink.line(JSON.stringify({ v: 1, kind: 'lookup', operationExternalId: id, state: 'not_found', result: null }));
    else if (last.answer) sink.line(JSON.stringify({ v: 1, kind: 'lookup', operationExternalId: id, state: 'done', result: last.answer }));
    else if (isAlive(last.pid)) sink.line(JSON.stringify({ v: 1, kind: 'lookup', operationExternalId: id, state: 'in_progress', result: null }));
    else {
      // The application running it died before the host approved: the terminal's own recovery voids it.
      const answer: SaleAnswer = { v: 1, kind: 'sale', operationExternalId: id, resultCode: 'FAIL', transaction: transaction(opts, last.amountMinor, last.currency, 'ABORTED', '53', 'ОПЕРАЦИЯ ПРЕРВАНА'), error: null };
      ledger.append({ event: 'completed', at: new Date().toISOString(), txKey: last.txKey, operationExternalId: id, charged: false, answer });
      sink.line(JSON.stringify({ v: 1, kind: 'lookup', operationExternalId: id, state: 'done', result: answer }));
    }
    sink.end();
    return;
  }
  const amountMinor = request.amountMinor;
  const currency = request.currency ?? 'RUB';
  if (amountMinor === undefined) {
    sink.line(JSON.stringify({ v: 1, kind: 'sale', operationExternalId: id, resultCode: 'FAIL', transaction: null, error: { code: 'BAD_AMOUNT', message: 'amountMinor is required' } }));
    sink.end();
    return;
  }
  const fault = ledger.takeFault(opts.defaultFault);
  const txKey = randomUUID();
  // Recorded before the card is touched: a lookup can always tell "never started" from "started".
  ledger.append({ event: 'started', at: new Date().toISOString(), txKey, operationExternalId: id, amountMinor, currency, pid: process.pid });
  const die = () => {
    if (opts.crash === 'process') process.kill(process.pid, 'SIGKILL');
    sink.die();
  };
  if (fault === 'crash_before_charge') {
    await sleep(opts.processingMs / 2);
    ledger.append({ event: 'completed', at: new Date().toISOString(), txKey, operationExternalId: id, charged: false, answer: abortedAnswer(opts, id, amountMinor, currency) });
    return die();
  }
  if (fault === 'stale') {
    // A confused app replays the last answer it has (another sale's) and never runs this one.
    const previous = ledger.transactions().filter((t) => t.operationExternalId !== id && t.answer).at(-1)?.answer ?? null;
    await sleep(opts.processingMs);
    ledger.append({ event: 'completed', at: new Date().toISOString(), txKey, operationExternalId: id, charged: false, answer: abortedAnswer(opts, id, amountMinor, currency) });
    sink.line(previous ? JSON.stringify(previous) : '{}');
    return sink.end();
  }
  if (fault === 'hang') {
    // Never answers; the record stays in progress while this process lives (a launched app stays up).
    setInterval(() => {}, 60_000);
    return;
  }
  await sleep(fault === 'slow' ? opts.slowMs : opts.processingMs);
  let answer: SaleAnswer;
  if (fault === 'decline') answer = { v: 1, kind: 'sale', operationExternalId: id, resultCode: 'FAIL', transaction: transaction(opts, amountMinor, currency, 'DECLINED', '51', 'НЕДОСТАТОЧНО СРЕДСТВ'), error: null };
  else if (fault === 'cancel') answer = { v: 1, kind: 'sale', operationExternalId: id, resultCode: 'FAIL', transaction: transaction(opts, amountMinor, currency, 'CANCELLED', '17', 'ОТМЕНЕНО НА ТЕРМИНАЛЕ'), error: null };
  else if (fault === 'wrong_amount') answer = { v: 1, kind: 'sale', operationExternalId: id, resultCode: 'OK', transaction: transaction(opts, amountMinor + 100, currency, 'APPROVED', '00', 'ОДОБРЕНО'), error: null };
  else answer = { v: 1, kind: 'sale', operationExternalId: id, resultCode: 'OK', transaction: transaction(opts, amountMinor, currency, 'APPROVED', '00', 'ОДОБРЕНО'), error: null };
  ledger.append({ event: 'completed', at: new Date().toISOString(), txKey, operationExternalId: id, charged: answer.resultCode === 'OK', answer });
  switch (fault) {
    case 'crash':
      return die(); // charged, answer lost
    case 'garbage':
      sink.line('\u00ff\u00feERR<html>terminal busy');
      return sink.end();
    case 'double':
      sink.line(JSON.stringify(answer));
      sink.line(JSON.stringify(answer));
      return sink.end();
    case 'numeric_currency': {
      // The ledger keeps the alpha code (what was charged); only the wire form differs.
      const numeric = NUMERIC_OF[currency];
      const tx = answer.transaction;
      sink.line(JSON.stringify(numeric && tx ? { ...answer, transaction: { ...tx, currency: numeric } } : answer));
      return sink.end();
    }
    case 'double_conflict':
      sink.line(JSON.stringify(answer));
      sink.line(JSON.stringify({ ...answer, resultCode: 'FAIL', transaction: answer.transaction ? { ...answer.transaction, status: 'ERROR' } : null }));
      return sink.end();
    default:
      sink.line(JSON.stringify(answer));
      return sink.end();
  }
}

/**
 * The record of a transaction interrupted before the host was asked: what the terminal's own recovery
 * writes. Written before the crash so "crash before charge" can never be mistaken for a charge.
 */
function abortedAnswer(opts: TerminalOptions, id: string, amountMinor: number, currency: string): SaleAnswer {
  return { v: 1, kind: 'sale', operationExternalId: id, resultCode: 'FAIL', transaction: transaction(opts, amountMinor, currency, 'ABORTED', '53', 'ОПЕРАЦИЯ ПРЕРВАНА'), error: null };
}
