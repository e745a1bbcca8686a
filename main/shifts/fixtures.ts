// Test fixtures: journal rows inserted directly with SQL (the checkout core is not needed to test
// reports), and a seeded generator of whole shifts that keeps its own ledger of the money it moved.
import type Database from 'better-sqlite3';

export interface OperationSeed {
  id: string;
  kind: 'payment' | 'cancel' | 'refund';
  provider?: string;
  parentId?: string | null;
  shiftId: number;
  orderId: string;
  amountKop: number;
  /** operations.currency; default the column's (RUB). */
  currency?: string;
  isFinal?: boolean;
  outcome?: string | null;
  requestId?: string;
  transactionId?: string | null;
  refTransactionId?: string | null;
  paymentType?: string | null;
  errorCode?: string | null;
  createdAt: string;
  /** refs: the provider's slip ids (slips.refs_json); refsJson: the stored text as is (unreadable-text tests). */
  slip?: { paymentTransactionId?: string | null; refundTransactionId?: string | null; paymentType?: string | null; refs?: Record<string, string>; refsJson?: string; totalAmountKop?: number };
}

const slipsHaveRefs = new WeakMap<Database.Database, boolean>();
/** Journals made by migrations before refs_json (upgrade tests) keep the slip ids as columns. */
function hasRefsColumn(sqlite: Database.Database): boolean {
  let has = slipsHaveRefs.get(sqlite);
  if (has === undefined) {
    has = (sqlite.prepare('PRAGMA table_info(slips)').all() as { name: string }[]).some((c) => c.name === 'refs_json');
    slipsHaveRefs.set(sqlite, has);
  }
  return has;
}

export function insertOperation(sqlite: Database.Database, seed: OperationSeed): void {
  const isFinal = seed.isFinal ?? true;
  sqlite.prepare(`INSERT INTO operations (id, kind, provider, parent_id, shift_id, order_id, amount_kop, currency, phase, is_final, outcome, request_id,
      transaction_id, ref_transaction_id, payment_type, error_code, context_json, created_at, updated_at, finished_at)
    VALUES (@id, @kind, @provider, @parentId, @shiftId, @orderId, @amountKop, @currency, @phase, @isFinal, @outcome, @requestId,
      @transactionId, @refTransactionId, @paymentType, @errorCode, '{}', @createdAt, @createdAt, @finishedAt)`).run({
    id: seed.id, kind: seed.kind, provider: seed.provider ?? 'koshelek', parentId: seed.parentId ?? null, shiftId: seed.shiftId,
    orderId: seed.orderId, amountKop: seed.amountKop, currency: seed.currency ?? 'RUB', phase: isFinal ? 'done' : 'waiting', isFinal: isFinal ? 1 : 0,
    outcome: isFinal ? (seed.outcome ?? null) : null, requestId: seed.requestId ?? `rq-${seed.id}`,
    transactionId: seed.transactionId ?? null, refTransactionId: seed.refTransactionId ?? null, paymentType: seed.paymentType ?? null,
    errorCode: seed.errorCode ?? null, createdAt: seed.createdAt, finishedAt: isFinal ? seed.createdAt : null,
  });
  if (seed.slip && !hasRefsColumn(sqlite)) {
    // The schema of the release before refs: its two slip id columns (what that release stored).
    const s = seed.slip;
    sqlite.prepare(`INSERT INTO slips (operation_id, slip_id, payment_transaction_id, refund_transaction_id, payment_type, order_id, store_id,
        terminal_id, qrc_id, kzo, total_amount_kop, currency, raw_json, received_at)
      VALUES (?, ?, ?, ?, ?, ?, 'store-1', 'POS-01', ?, ?, ?, 'RUB', '{}', ?)`).run(
      seed.id, `slip-${seed.id}`, s.paymentTransactionId ?? null, s.refundTransactionId ?? null, s.paymentType ?? null, seed.orderId,
      s.refs?.qrcId ?? null, s.refs?.kzo ?? null, s.totalAmountKop ?? seed.amountKop, seed.createdAt);
  } else if (seed.slip) {
    const s = seed.slip;
    sqlite.prepare(`INSERT INTO slips (operation_id, slip_id, payment_transaction_id, refund_transaction_id, payment_type, order_id, store_id,
        terminal_id, refs_json, total_amount_kop, currency, raw_json, received_at)
      VALUES (?, ?, ?, ?, ?, ?, 'store-1', 'POS-01', ?, ?, 'RUB', '{}', ?)`).run(
      seed.id, `slip-${seed.id}`, s.paymentTransactionId ?? null, s.refundTransactionId ?? null, s.paymentType ?? null, seed.orderId,
      s.refsJson ?? JSON.stringify(s.refs ?? {}), s.totalAmountKop ?? seed.amountKop, seed.createdAt);
  }
}

/** Small deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface PaidPayment {
  id: string;
  orderId: string;
  shiftId: number;
  amountKop: number;
  refundedKop: number;
  paymentType: string;
  provider: string;
  transactionId: string;
}

/** What the generator itself knows it did, per shift: the independent side of the arithmetic test. */
export interface Ledger {
  inKop: number;
  outKop: number;
  byType: Map<string, { inKop: number; outKop: number; payments: number; refunds: number }>;
  crossShiftOutKop: number;
  counts: Record<'payment' | 'cancel' | 'refund', number>;
}

export const newLedger = (): Ledger => ({ inKop: 0, outKop: 0, byType: new Map(), crossShiftOutKop: 0, counts: { payment: 0, cancel: 0, refund: 0 } });

const TYPES: { provider: string; paymentType: string | null }[] = [
  { provider: 'koshelek', paymentType: 'SBP' },
  { provider: 'koshelek', paymentType: 'DOLYAME' },
  { provider: 'otherpay', paymentType: null },
];

/**
 * Inserts `count` operations into `shiftId`: paid / rejected / failed payments, cancelled payments
 * with their cancel, full and partial refunds (also of payments from earlier shifts in `paid`).
 */
export function generateShiftOperations(
  sqlite: Database.Database, shiftId: number, count: number, random: () => number, paid: PaidPayment[], startMs: number, ledger: Ledger,
): void {
  let seq = 0;
  const next = (): { id: string; at: string } => {
    seq += 1;
    return { id: `s${shiftId}-o${seq}`, at: new Date(startMs + seq * 1000).toISOString() };
  };
  const typeKey = (provider: string, paymentType: string | null): string => `${provider}|${paymentType ?? `(${provider})`}`;
  const entry = (key: string) => {
    let e = ledger.byType.get(key);
    if (!e) {
      e = { inKop: 0, outKop: 0, payments: 0, refunds: 0 };
      ledger.byType.set(key, e);
    }
    return e;
  };
  while (seq < count) {
    const roll = random();
    const refundable = paid.filter((p) => p.refundedKop < p.amountKop);
    if (roll < 0.2 && refundable.length > 0) {
      const p = refundable[Math.floor(random() * refundable.length)] as PaidPayment;
      const left = p.amountKop - p.refundedKop;
      const full = random() < 0.5;
      const amount = full ? left : Math.max(1, Math.floor(left * random() * 0.5));
      const outcome = random() < 0.9 ? 'refunded' : 'refund_rejected';
      const { id, at } = next();
      ledger.counts.refund += 1;
      insertOperation(sqlite, {
        id, kind: 'refund', provider: p.provider, parentId: p.id, shiftId, orderId: p.orderId, amountKop: amount, outcome,
        transactionId: p.transactionId, refTransactionId: `rtx-${id}`, paymentType: random() < 0.5 ? null : (p.provider === 'koshelek' ? p.paymentType : null),
        createdAt: at,
        ...(outcome === 'refunded' && p.provider === 'koshelek'
          ? { slip: { paymentTransactionId: p.transactionId, refundTransactionId: `rtx-${id}`, paymentType: p.paymentType, totalAmountKop: amount } }
          : {}),
      });
      if (outcome === 'refunded') {
        p.refundedKop += amount;
        ledger.outKop += amount;
        const e = entry(typeKey(p.provider, p.provider === 'koshelek' ? p.paymentType : null));
        e.outKop += amount;
        e.refunds += 1;
        if (p.shiftId !== shiftId) ledger.crossShiftOutKop += amount;
      }
      continue;
    }
    const type = TYPES[Math.floor(random() * TYPES.length)] as (typeof TYPES)[number];
    const amount = 400 + Math.floor(random() * 500_000);
    const { id, at } = next();
    const orderId = `ord-${id}`;
    const tx = `tx-${id}`;
    const r = random();
    ledger.counts.payment += 1;
    if (r < 0.7) {
      const sbp = type.paymentType === 'SBP';
      insertOperation(sqlite, {
        id, kind: 'payment', provider: type.provider, shiftId, orderId, amountKop: amount, outcome: 'paid', transactionId: tx,
        paymentType: type.paymentType, createdAt: at,
        ...(type.provider === 'koshelek' ? { slip: { paymentTransactionId: tx, paymentType: type.paymentType, refs: sbp ? { qrcId: `QRC${id}`, kzo: `KZO${id}` } : {} } } : {}),
      });
      paid.push({ id, orderId, shiftId, amountKop: amount, refundedKop: 0, paymentType: type.paymentType ?? '', provider: type.provider, transactionId: tx });
      ledger.inKop += amount;
      const e = entry(typeKey(type.provider, type.paymentType));
      e.inKop += amount;
      e.payments += 1;
    } else if (r < 0.85 && seq + 1 < count) {
      insertOperation(sqlite, { id, kind: 'payment', provider: type.provider, shiftId, orderId, amountKop: amount, outcome: 'canceled', transactionId: tx, paymentType: type.paymentType, createdAt: at });
      const c = next();
      ledger.counts.cancel += 1;
      insertOperation(sqlite, { id: c.id, kind: 'cancel', provider: type.provider, parentId: id, shiftId, orderId, amountKop: amount, outcome: 'canceled', transactionId: tx, refTransactionId: `ctx-${c.id}`, createdAt: c.at });
    } else {
      const outcome = r < 0.95 ? 'rejected' : 'failed';
      insertOperation(sqlite, { id, kind: 'payment', provider: type.provider, shiftId, orderId, amountKop: amount, outcome, transactionId: outcome === 'failed' ? null : tx, paymentType: type.paymentType, errorCode: outcome === 'rejected' ? 'NOT_ENOUGH_LIMIT_TO_PAY' : null, createdAt: at });
    }
  }
}
