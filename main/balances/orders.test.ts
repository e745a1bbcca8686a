import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OperationView } from '../contract/checkout';
import { openJournal, type Journal } from '../journal/database';
import { BalanceLedger } from './ledger';
import { BalanceSync } from './orders';

let dir: string;
let journal: Journal;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-balance-orders-'));
  journal = openJournal(path.join(dir, 'till.db'));
});
afterEach(() => {
  journal.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function op(id: string, kind: OperationView['kind'], amountKop: number, outcome: OperationView['outcome'], loyaltyId: string | null): OperationView {
  return {
    id, kind, provider: 'koshelek', providerTitle: 'К', parentId: null, orderId: 'O', amountKop, phase: 'done', phaseText: '', isFinal: outcome !== null, outcome,
    requestId: id, transactionId: null, refTransactionId: null, paymentType: 'SBP', loyaltyId, error: null, slip: null, lines: [], cancellable: false,
    refundableKop: null, shiftId: null, recovered: false, customerAction: null, receipt: null, createdAt: '', updatedAt: '', finishedAt: null,
  };
}

describe('balances from service orders', () => {
  it('for any order history and service state, the balance equals the sum of entries, never goes negative, and a re-sync writes nothing new (property)', () => {
    const event = fc.oneof(
      fc.record({ t: fc.constant('pay' as const), amount: fc.integer({ min: 1, max: 10_000 }), paid: fc.boolean() }),
      fc.record({ t: fc.constant('refund' as const), amount: fc.integer({ min: 1, max: 10_000 }), done: fc.boolean() }),
    );
    let run = 0;
    fc.assert(fc.property(fc.array(event, { maxLength: 8 }), fc.constantFrom('scheduled', 'in_progress', 'completed', 'cancelled', null), (events, state) => {
      run += 1;
      const orderId = `O${run}`;
      const store = `S${run}`;
      if (state) journal.sqlite.prepare('INSERT INTO order_services (order_id, state, updated_at) VALUES (?, ?, ?)').run(orderId, state, 'x');
      let paid = 0;
      const ops: OperationView[] = [];
      events.forEach((e, i) => {
        if (e.t === 'pay') {
          ops.push({ ...op(`${orderId}-p${i}`, 'payment', e.amount, e.paid ? 'paid' : 'rejected', 'L1'), orderId });
          if (e.paid) paid += e.amount;
        } else {
          // The till never refunds more than was paid and not yet refunded.
          const refunded = ops.filter((o) => o.kind === 'refund' && o.outcome === 'refunded').reduce((s, o) => s + o.amountKop, 0);
          const amount = Math.min(e.amount, paid - refunded);
          if (amount > 0) ops.push({ ...op(`${orderId}-r${i}`, 'refund', amount, e.done ? 'refunded' : 'refund_rejected', 'L1'), orderId });
        }
      });
      const sync = new BalanceSync({ sqlite: journal.sqlite, storeId: () => store, config: () => ({ enabled: true }), operationsOf: () => ops });
      sync.sync(orderId);
      const ledger = new BalanceLedger(journal.sqlite, store, { config: () => ({ enabled: true }) });
      const entries = ledger.entries('L1');
      let running = 0;
      for (const e of entries) {
        running += e.kind === 'topup' ? e.amountMinor : -e.amountMinor;
        expect(running).toBeGreaterThanOrEqual(0);
      }
      expect(ledger.balance('L1')).toBe(running);
      const refunded = ops.filter((o) => o.kind === 'refund' && o.outcome === 'refunded').reduce((s, o) => s + o.amountKop, 0);
      // Goods: nothing; a rendered service: nothing left; otherwise what was paid and not refunded.
      expect(running).toBe(state === null || state === 'completed' ? 0 : paid - refunded);
      sync.sync(orderId);
      expect(ledger.entries('L1')).toHaveLength(entries.length);
    }), { numRuns: 300 });
  });
});
