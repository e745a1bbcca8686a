// The terminal emulator's own durable record of every transaction, keyed by operationExternalId: an
// append-only JSON-lines file, fsynced per line, shared by every launch of the emulator. Tests read it
// to assert "exactly one charge"; lookups read it to answer after a till (or terminal) restart.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { saleAnswerSchema, type SaleAnswer } from '../../main/payapi/terminal/contract';

const LEDGER = 'ledger.jsonl';
const FAULTS = 'faults.json';

const startedSchema = z.object({ event: z.literal('started'), at: z.string(), txKey: z.string(), operationExternalId: z.string(), amountMinor: z.number(), currency: z.string(), pid: z.number() });
const completedSchema = z.object({ event: z.literal('completed'), at: z.string(), txKey: z.string(), operationExternalId: z.string(), charged: z.boolean(), answer: saleAnswerSchema });
const lineSchema = z.discriminatedUnion('event', [startedSchema, completedSchema]);
type LedgerLine = z.infer<typeof lineSchema>;

export interface LedgerTransaction {
  txKey: string;
  operationExternalId: string;
  amountMinor: number;
  currency: string;
  pid: number;
  /** null while the transaction runs (or if the process running it died before finishing). */
  answer: SaleAnswer | null;
  charged: boolean;
}

/**
 * wrong_amount: a hostile or broken terminal approves and charges another amount than asked;
 * numeric_currency: approves, but writes the currency as its ISO 4217 number ("643"), as some vendors do;
 * stale: charges nothing, aborts this sale and answers with the previous sale's answer (another id).
 */
export const FAULT_MODES = ['approve', 'decline', 'cancel', 'slow', 'crash', 'crash_before_charge', 'garbage', 'double', 'double_conflict', 'hang', 'wrong_amount', 'numeric_currency', 'stale'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];
const faultsSchema = z.array(z.enum(FAULT_MODES));

export class Ledger {
  readonly file: string;

  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, LEDGER);
  }

  append(line: LedgerLine): void {
    const fd = fs.openSync(this.file, 'a');
    try {
      fs.writeSync(fd, `${JSON.stringify(line)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  transactions(): LedgerTransaction[] {
    if (!fs.existsSync(this.file)) return [];
    const byKey = new Map<string, LedgerTransaction>();
    for (const text of fs.readFileSync(this.file, 'utf8').split('\n')) {
      if (!text.trim()) continue;
      let parsed: LedgerLine;
      try {
        parsed = lineSchema.parse(JSON.parse(text));
      } catch {
        continue; // a line torn by a crash mid-write is not a transaction
      }
      if (parsed.event === 'started') {
        byKey.set(parsed.txKey, { txKey: parsed.txKey, operationExternalId: parsed.operationExternalId, amountMinor: parsed.amountMinor, currency: parsed.currency, pid: parsed.pid, answer: null, charged: false });
      } else {
        const tx = byKey.get(parsed.txKey);
        if (tx) Object.assign(tx, { answer: parsed.answer, charged: parsed.charged });
      }
    }
    return [...byKey.values()];
  }

  forOperation(operationExternalId: string): LedgerTransaction[] {
    return this.transactions().filter((t) => t.operationExternalId === operationExternalId);
  }

  /** Sales launched (started) and charges made for one operation. */
  count(operationExternalId: string): { sales: number; charges: number } {
    const txs = this.forOperation(operationExternalId);
    return { sales: txs.length, charges: txs.filter((t) => t.charged).length };
  }

  /** Fault for the next sale: the head of faults.json, consumed; otherwise the fallback. */
  takeFault(fallback: FaultMode): FaultMode {
    const file = path.join(this.dir, FAULTS);
    if (!fs.existsSync(file)) return fallback;
    const queue = faultsSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
    const head = queue.shift();
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(queue));
    fs.renameSync(tmp, file);
    return head ?? fallback;
  }

  queueFaults(faults: FaultMode[]): void {
    fs.writeFileSync(path.join(this.dir, FAULTS), JSON.stringify(faults));
  }
}
