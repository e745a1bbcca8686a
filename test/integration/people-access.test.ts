// Sign-in and the access matrix enforced by the core: a real till (SQLite, the emulator) with
// `access.signIn` on, driven through the API dispatcher every shell uses, and once straight over the
// kiosk WebSocket with no renderer at all. Refusals, approvals, attribution and the audit trail.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startKoshelekEmulator, type KoshelekEmulator } from '../../emulators/koshelek';
import { verifyChain } from '../../main/audit/log';
import { WS_PATH, WS_PROTOCOL, WS_TOKEN_PREFIX } from '../../main/contract/api';
import { startKioskShell, type KioskShell } from '../../main/shell/kiosk/shell';
import { startApiHarness, type ApiHarness } from '../support/api-session';
import { card, orderId, tempDir, writeTillConfig } from '../support/till';

const ON = { extra: { access: { signIn: true, autoLock: { idleSec: 0, warnSec: 0 } } } };

let h: ApiHarness | null = null;
let shell: KioskShell | null = null;
let emulator: KoshelekEmulator | null = null;
afterEach(async () => {
  await h?.close();
  await shell?.close();
  await emulator?.close();
  h = null;
  shell = null;
  emulator = null;
});

function entries(harness: ApiHarness): { seq: number; kind: string; actor: string | null; data: Record<string, unknown> }[] {
  return (harness.till.core.journal.sqlite.prepare('SELECT entry_json FROM audit_log ORDER BY seq').all() as { entry_json: string }[]).map((r) => JSON.parse(r.entry_json) as { seq: number; kind: string; actor: string | null; data: Record<string, unknown> });
}

async function paidSale(harness: ApiHarness, amountKop = 150_00): Promise<string> {
  const op = await harness.call('sale.pay', { orderId: orderId(), amountKop, card: card('OK'), paymentType: 'SBP' });
  const done = await harness.till.core.checkout.waitFinal(op.id, 10_000);
  expect(done.outcome).toBe('paid');
  return op.id;
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('sign-in off (the default): the till sells as before and records the till as the actor', () => {
  it('a sale goes through with nobody signed in and its end is on the audit trail', async () => {
    h = await startApiHarness();
    const state = await h.call('people.state', {});
    expect(state).toMatchObject({ enabled: false, person: null });
    const id = await paidSale(h);
    await until(() => entries(h as ApiHarness).some((e) => e.kind === 'sale' && e.data.operation === id));
    expect(entries(h).find((e) => e.kind === 'sale')).toMatchObject({ actor: null, data: { outcome: 'paid', amountMinor: 150_00, method: 'SBP' } });
    // Nobody can be held to account for a matrix edit with sign-in off.
    expect((await h.fail('access.setMatrix', { matrix: { refundLimitMinor: 0, roles: [] }, expectedVersion: 0 })).key).toBe('access.denied');
  }, 30_000);
});

describe('sign-in on', () => {
  it('nothing moves money without a signed-in person; wrong PINs are throttled; a locked till still resolves parked payments', async () => {
    h = await startApiHarness(ON);
    expect((await h.call('people.state', {})).people.map((p) => p.id)).toContain('demo-cashier'); // emulator demo people
    expect((await h.fail('sale.pay', { orderId: orderId(), amountKop: 100_00, card: card('OK'), paymentType: 'SBP' })).key).toBe('session.invalid');
    expect((await h.fail('report.x', {})).key).toBe('session.invalid');
    expect((await h.fail('operation.query', {})).key).toBe('session.invalid');
    // Three free wrong PINs for the cashier, a fourth locks, then even the right one waits.
    for (const pin of ['1111', '4822', '9999', '1357']) expect((await h.fail('people.signIn', { kind: 'pin', personId: 'demo-cashier', pin })).key).toBe('signin.wrong_pin');
    const locked = await h.fail('people.signIn', { kind: 'pin', personId: 'demo-cashier', pin: '4821' });
    expect(locked.key).toBe('signin.locked');
    expect(locked.ru).toMatch(/заблокирован на \d+ мин/);
    // Another person is not locked out by the cashier's lockout (per-person scope; the till scope allows 10).
    const signed = await h.call('people.signIn', { kind: 'card', code: 'STAFF-DEMO-SENIOR' });
    expect(signed.person).toMatchObject({ id: 'demo-senior', role: 'senior_cashier' });
    // A parked payment goes on while the till is locked.
    const op = await h.call('sale.pay', { orderId: orderId(), amountKop: 200_00, card: card('OK'), paymentType: 'SBP' });
    await h.call('people.lock', {});
    expect((await h.fail('sale.pay', { orderId: orderId(), amountKop: 100_00, card: card('OK'), paymentType: 'SBP' })).key).toBe('session.locked');
    expect((await h.till.core.checkout.waitFinal(op.id, 10_000)).outcome).toBe('paid');
    // Only the same person unlocks; the session (and its attribution) is kept.
    expect((await h.call('people.signIn', { kind: 'pin', personId: 'demo-senior', pin: '2604' })).locked).toBe(false);
    const kinds = entries(h).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'sign_in_failed')).toHaveLength(5);
    expect(kinds).toEqual(expect.arrayContaining(['sign_in', 'lock', 'sale']));
    expect(entries(h).find((e) => e.kind === 'sale')).toMatchObject({ actor: 'demo-senior', data: { operation: op.id } });
    // No PIN on the trail.
    expect(JSON.stringify(entries(h))).not.toMatch(/4821|2604|4822/);
  }, 60_000);

  it('a cashier\'s refund is refused, then approved by a manager\'s PIN; both people recorded; the matrix and rights hold in the core', async () => {
    h = await startApiHarness(ON);
    await h.call('people.signIn', { kind: 'pin', personId: 'demo-cashier', pin: '4821' });
    const sale = await paidSale(h, 300_00);
    // Cashier: refund needs approval; Payments section and Z are refused / need approval.
    const refused = await h.fail('refund.start', { paymentOperationId: sale, amountKop: 100_00 });
    expect(refused.key).toBe('access.needs_approval');
    expect(refused.ru).toContain('возврат');
    expect((await h.fail('payments.search', {})).key).toBe('access.denied');
    expect((await h.fail('shift.close', { cashier: 'x' })).key).toBe('access.needs_approval');
    expect((await h.fail('access.get', {})).key).toBe('access.denied');
    // A wrong supervisor PIN does not approve; the cashier cannot approve herself.
    expect((await h.fail('refund.start', { paymentOperationId: sale, amountKop: 100_00, approval: { kind: 'pin', personId: 'demo-manager', pin: '0000' } })).key).toBe('signin.wrong_pin');
    expect((await h.fail('refund.start', { paymentOperationId: sale, amountKop: 100_00, approval: { kind: 'pin', personId: 'demo-cashier', pin: '4821' } })).key).toBe('approval.same_person');
    const refund = await h.call('refund.start', { paymentOperationId: sale, amountKop: 100_00, approval: { kind: 'pin', personId: 'demo-manager', pin: '5937' } });
    expect((await h.till.core.checkout.waitFinal(refund.id, 10_000)).outcome).toBe('refunded');
    await until(() => entries(h as ApiHarness).some((e) => e.kind === 'refund'));
    const approval = entries(h).find((e) => e.kind === 'approval');
    expect(approval).toMatchObject({ actor: 'demo-cashier', data: { approver: 'demo-manager', permission: 'refund', amountMinor: 100_00, method: 'pin' } });
    expect(entries(h).find((e) => e.kind === 'refund')).toMatchObject({ actor: 'demo-cashier', data: { operation: refund.id, approver: 'demo-manager', approval: approval?.data.approval } });

    // The manager: Payments section lists the sale with both people and the order partly refunded.
    await h.call('people.signIn', { kind: 'card', code: 'STAFF-DEMO-MANAGER' });
    const found = await h.call('payments.search', { text: String(sale).slice(-8) });
    const row = found.items.find((r) => r.operation.id === sale);
    expect(row).toMatchObject({ orderStatus: 'partly_refunded', person: { id: 'demo-cashier' }, refundedKop: 100_00, refundableKop: 200_00, refund: { decision: 'allow' } });
    const byPerson = await h.call('payments.search', { personId: 'demo-cashier' });
    expect(byPerson.items.map((r) => r.operation.id)).toEqual([sale]);
    expect((await h.call('payments.search', { status: 'refunded' })).items).toHaveLength(0);
    const d = new Date();
    const today = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    expect((await h.call('payments.search', { from: today, to: today })).items.map((r) => r.operation.id)).toEqual([sale]);
    expect((await h.call('payments.search', { to: '2000-01-01' })).items).toHaveLength(0);
    expect((await h.call('payments.search', { method: 'DOLYAME' })).items).toHaveLength(0);
    expect((await h.call('payments.search', { method: 'SBP', text: '300' })).items.map((r) => r.operation.id)).toEqual([sale]);
    // Any transaction id finds the payment, the refund's too.
    expect((await h.call('payments.search', { text: refund.transactionId ?? 'none' })).items.map((r) => r.operation.id)).toEqual([sale]);

    // A manager cannot edit the matrix; the administrator grants one right to the cashier alone.
    expect((await h.fail('access.setRight', { personId: 'demo-cashier', permission: 'refund', effect: 'grant' })).key).toBe('access.denied');
    await h.call('people.signIn', { kind: 'pin', personId: 'demo-admin', pin: '8402' });
    const anna = await h.call('access.setRight', { personId: 'demo-cashier', permission: 'refund', effect: 'grant' });
    expect(anna.overrides).toEqual([{ permission: 'refund', effect: 'grant' }]);
    await h.call('people.signIn', { kind: 'pin', personId: 'demo-cashier', pin: '4821' });
    const own = await h.call('refund.start', { paymentOperationId: sale, amountKop: 50_00 });
    expect((await h.till.core.checkout.waitFinal(own.id, 10_000)).outcome).toBe('refunded');
    // Still not someone else's sale, nor above the limit, and the Z still needs a supervisor.
    expect((await h.fail('refund.start', { paymentOperationId: sale, amountKop: 600_00 })).key).toMatch(/refund\.|access\./);

    // The matrix edited live by the super-administrator: cashiers may now open the Payments section.
    await h.call('people.signIn', { kind: 'pin', personId: 'demo-root', pin: '7315' });
    const view = await h.call('access.get', {});
    const roles = view.matrix.roles.map((r) => (r.id === 'cashier' ? { ...r, rules: { ...r.rules, payments_section: 'allow' as const } } : r));
    expect((await h.call('access.setMatrix', { matrix: { ...view.matrix, roles }, expectedVersion: view.version })).version).toBe(view.version + 1);
    expect((await h.fail('access.setMatrix', { matrix: { ...view.matrix, roles }, expectedVersion: view.version })).key).toBe('access.matrix_invalid');
    await h.call('people.signIn', { kind: 'pin', personId: 'demo-cashier', pin: '4821' });
    expect((await h.call('payments.search', {})).items.length).toBeGreaterThan(0);
    expect(verifyChain(h.till.core.journal.sqlite)).toMatchObject({ ok: true });
    expect(await h.call('audit.verify', {})).toMatchObject({ ok: true, firstBroken: null });
  }, 90_000);

  it('a refund above the limit and a refund of another cashier\'s sale need the extra rights; the manager approves by card', async () => {
    h = await startApiHarness(ON);
    await h.call('people.signIn', { kind: 'pin', personId: 'demo-senior', pin: '2604' });
    const big = await paidSale(h, 6_000_00);
    // Senior cashier: refunds on her own up to 5 000 ₽, above it only with approval.
    const own = await h.call('refund.start', { paymentOperationId: big, amountKop: 1_000_00 });
    expect((await h.till.core.checkout.waitFinal(own.id, 10_000)).outcome).toBe('refunded');
    const above = await h.fail('refund.start', { paymentOperationId: big, amountKop: 5_000_01 });
    expect(above).toMatchObject({ key: 'access.needs_approval' });
    expect(above.ru).toContain('возврат сверх лимита');
    // A cashier holding `refund` herself still needs approval for someone else's sale.
    await h.call('people.signIn', { kind: 'pin', personId: 'demo-admin', pin: '8402' });
    await h.call('access.setRight', { personId: 'demo-cashier', permission: 'refund', effect: 'grant' });
    await h.call('people.signIn', { kind: 'pin', personId: 'demo-cashier', pin: '4821' });
    const other = await h.fail('refund.start', { paymentOperationId: big, amountKop: 100_00 });
    expect(other).toMatchObject({ key: 'access.needs_approval' });
    expect(other.ru).toContain('возврат чужой продажи');
    const approved = await h.call('refund.start', { paymentOperationId: big, amountKop: 100_00, approval: { kind: 'card', code: 'STAFF-DEMO-MANAGER' } });
    expect((await h.till.core.checkout.waitFinal(approved.id, 10_000)).outcome).toBe('refunded');
    expect(entries(h).find((e) => e.kind === 'approval')).toMatchObject({ actor: 'demo-cashier', data: { approver: 'demo-manager', method: 'card', permissions: ['refund', 'refund_other_cashier'] } });
  }, 60_000);

  it('a refund is refused for a scheduled or in-progress service, allowed once it is cancelled', async () => {
    h = await startApiHarness(ON);
    await h.call('people.signIn', { kind: 'pin', personId: 'demo-manager', pin: '5937' });
    const sale = await paidSale(h, 80_00);
    const orderOf = (await h.call('operation.get', { operationId: sale }))?.orderId ?? '';
    await h.call('order.service', { orderId: orderOf, state: 'scheduled', date: '2026-12-05' });
    expect((await h.fail('refund.start', { paymentOperationId: sale })).key).toBe('refund.service_not_finished');
    await h.call('order.service', { orderId: orderOf, state: 'in_progress' });
    expect((await h.fail('refund.start', { paymentOperationId: sale })).key).toBe('refund.service_not_finished');
    const row = (await h.call('payments.search', {})).items.find((r) => r.operation.id === sale);
    expect(row).toMatchObject({ service: { state: 'in_progress', date: '2026-12-05' }, refund: { decision: 'deny' } });
    // Back from in progress to scheduled is not a move a service makes.
    expect((await h.fail('order.service', { orderId: orderOf, state: 'scheduled' })).key).toBe('access.denied');
    await h.call('order.service', { orderId: orderOf, state: 'cancelled' });
    const refund = await h.call('refund.start', { paymentOperationId: sale });
    expect((await h.till.core.checkout.waitFinal(refund.id, 10_000)).outcome).toBe('refunded');
    expect(entries(h).filter((e) => e.kind === 'service_change').map((e) => e.data.to)).toEqual(['scheduled', 'in_progress', 'cancelled']);
  }, 60_000);

  it('straight over the kiosk WebSocket, with no renderer: refused without sign-in, refused above the cashier\'s rights', async () => {
    emulator = await startKoshelekEmulator({ confirmDelayMs: 100 });
    const dataDir = tempDir('paydesk-people-ws-');
    const configFile = writeTillConfig({ emulator, dataDir, mode: 'emulator', extra: ON.extra });
    const rendererDir = path.join(dataDir, 'renderer');
    fs.mkdirSync(rendererDir);
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>till</title>');
    const token = 'peopleTok-9vX2mR7wQe4LpZ0aB8cD1fG6hJ3kN5sT0uV';
    shell = await startKioskShell({ configFile, dataDir, rendererDir, token });
    const ws = new WebSocket(`ws://127.0.0.1:${shell.server.port}${WS_PATH}`, [WS_PROTOCOL, `${WS_TOKEN_PREFIX}${token}`]);
    const waiting = new Map<number, (r: { ok: boolean; data?: { id: string }; error?: { key: string } }) => void>();
    let seq = 0;
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { id: number | null; response?: { ok: boolean; data?: { id: string }; error?: { key: string } } };
      if (frame.id !== null && frame.response) waiting.get(frame.id)?.(frame.response);
    });
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    const call = (method: string, input: unknown) => new Promise<{ ok: boolean; data?: { id: string }; error?: { key: string } }>((r) => { seq += 1; waiting.set(seq, r); ws.send(JSON.stringify({ id: seq, method, input })); });
    try {
      expect(await call('sale.pay', { orderId: orderId(), amountKop: 100_00, card: card('OK'), paymentType: 'SBP' })).toMatchObject({ ok: false, error: { key: 'session.invalid' } });
      expect(await call('shift.close', { cashier: 'Кто угодно' })).toMatchObject({ ok: false, error: { key: 'session.invalid' } });
      expect((await call('people.signIn', { kind: 'pin', personId: 'demo-cashier', pin: '4821' })).ok).toBe(true);
      const paid = await call('sale.pay', { orderId: orderId(), amountKop: 100_00, card: card('OK'), paymentType: 'SBP' });
      expect(paid.ok).toBe(true);
      await shell.core.checkout.waitFinal(paid.data?.id ?? '', 10_000);
      expect(await call('refund.start', { paymentOperationId: paid.data?.id })).toMatchObject({ ok: false, error: { key: 'access.needs_approval' } });
      expect(await call('shift.voidTender', { tenderId: 1, voidedBy: 'x', reason: 'ошибка' })).toMatchObject({ ok: false, error: { key: 'access.needs_approval' } });
      expect(await call('payments.search', {})).toMatchObject({ ok: false, error: { key: 'access.denied' } });
      expect(shell.core.checkout.query({ kind: 'refund' })).toHaveLength(0);
    } finally {
      ws.close();
    }
  }, 60_000);
});

describe('customer balances (balances.enabled): a prepaid service credits, its completion debits, a refund of a cancelled one takes back', () => {
  it('the ledger follows the orders and always equals the sum of its entries', async () => {
    h = await startApiHarness({ extra: { balances: { enabled: true } } });
    const customer = card('OK');
    const loyaltyId = customer.loyaltyId;
    const balance = async (): Promise<number> => (await (h as ApiHarness).call('balance.get', { loyaltyId })).balanceKop;
    // Goods: no balance.
    await paidSale(h, 50_00);
    expect(await balance()).toBe(0);
    // A service booked, then paid: the money is on the balance until the service is rendered.
    const orderA = orderId();
    await h.call('order.service', { orderId: orderA, state: 'scheduled', date: '2026-12-01' });
    const a = await h.call('sale.pay', { orderId: orderA, amountKop: 500_00, card: { ...card('OK'), loyaltyId }, paymentType: 'SBP' });
    await h.till.core.checkout.waitFinal(a.id, 10_000);
    await until(() => h?.till.core.journal.sqlite.prepare('SELECT COUNT(*) AS n FROM balance_entries').pluck().get() === 1);
    expect(await balance()).toBe(500_00);
    const row = (await h.call('payments.search', {})).items.find((r) => r.operation.id === a.id);
    expect(row?.balanceKop).toBe(500_00);
    await h.call('order.service', { orderId: orderA, state: 'in_progress' });
    await h.call('order.service', { orderId: orderA, state: 'completed' });
    expect(await balance()).toBe(0);
    // Another one paid, then cancelled and refunded: the refund leaves the balance too.
    const orderB = orderId();
    await h.call('order.service', { orderId: orderB, state: 'scheduled' });
    const b = await h.call('sale.pay', { orderId: orderB, amountKop: 300_00, card: { ...card('OK'), loyaltyId }, paymentType: 'SBP' });
    await h.till.core.checkout.waitFinal(b.id, 10_000);
    await until(() => h?.till.core.journal.sqlite.prepare('SELECT COUNT(*) AS n FROM balance_entries').pluck().get() === 3);
    expect(await balance()).toBe(300_00);
    await h.call('order.service', { orderId: orderB, state: 'cancelled' });
    const refund = await h.call('refund.start', { paymentOperationId: b.id });
    await h.till.core.checkout.waitFinal(refund.id, 10_000);
    await until(() => h?.till.core.journal.sqlite.prepare('SELECT COUNT(*) AS n FROM balance_entries').pluck().get() === 4);
    const view = await h.call('balance.get', { loyaltyId });
    expect(view.balanceKop).toBe(0);
    expect(view.entries.map((e) => [e.kind, e.amountKop])).toEqual([['topup', 500_00], ['debit', 500_00], ['topup', 300_00], ['refund', 300_00]]);
    expect(view.entries.reduce((sum, e) => sum + (e.kind === 'topup' ? e.amountKop : -e.amountKop), 0)).toBe(view.balanceKop);
    expect(entries(h).filter((e) => e.kind === 'balance_entry')).toHaveLength(4);
  }, 60_000);
});
