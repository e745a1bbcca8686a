// A separate process hammering one balance ledger (used by main/balances/ledger.test.ts): reads a JSON
// list of operations from argv, applies them, prints one JSON line per outcome.
import { openJournal } from '../../main/journal/database';
import { BalanceLedger } from '../../main/balances/ledger';
import { PaydeskError } from '../../main/errors/catalogue';

interface Op { kind: 'topup' | 'debit' | 'refund'; loyaltyId: string; amountMinor: number; ref: string }

const [file, store, opsJson] = process.argv.slice(2);
if (!file || !store || !opsJson) throw new Error('usage: balance-worker <db> <store> <ops-json>');
const journal = openJournal(file);
const ledger = new BalanceLedger(journal.sqlite, store, { config: () => ({ enabled: true }) });
// Barrier: tell the parent we are open, wait for its "go", so all workers write at the same time.
process.stdout.write('ready\n');
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
process.stdin.pause();
for (const op of JSON.parse(opsJson) as Op[]) {
  const input = { loyaltyId: op.loyaltyId, amountMinor: op.amountMinor, operationRef: op.ref, personId: 'worker' };
  try {
    if (op.kind === 'topup') ledger.topUp(input);
    else if (op.kind === 'debit') ledger.debit(input);
    else ledger.refund(input);
    process.stdout.write(`${JSON.stringify({ ref: op.ref, ok: true })}\n`);
  } catch (error) {
    const key = error instanceof PaydeskError ? error.key : String(error);
    process.stdout.write(`${JSON.stringify({ ref: op.ref, ok: false, key })}\n`);
  }
}
journal.close();
