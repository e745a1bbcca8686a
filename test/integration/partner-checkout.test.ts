// Signed partner payments at the till, through the real checkout and core: a sale charged to the customer's
// partner payment, an extra charge when the basket grew (a new payment linked to the first), a partial
// reversal (checkout.refund), each confirmed by the outbox task partner.confirm against the emulator,
// which verifies every signature per docs/partner-api.yaml. Callbacks reach the till's receiver signed
// by the partner; replayed, skewed and forged ones are refused. Kill -9 steps: partner-checkout-crash.test.ts.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startKoshelekEmulator, type KoshelekEmulator } from '../../emulators/koshelek';
import { startPartnerEmulator, type PartnerEmulator } from '../../emulators/partner/server';
import { startCore, type StartedCore } from '../../main/core/core';
import { silentLogger } from '../../main/log/logger';
import { configSchema } from '../../main/config/schema';
import { createScanPort } from '../../main/api/scan-port';
import { createApiSession } from '../../main/api/session';
import type { ApiResponse } from '../../main/contract/api';
import { signRequest } from '../../main/payapi/partner/canonical';
import { CALLBACK_PATH } from '../../main/payapi/partner/contract';
import { partnerOutboxFile } from '../../main/payapi/partner/descriptor';
import { PartnerKeyStore, spkiSha256 } from '../../main/payapi/partner/keys';
import { card, orderId, tempDir, writeTillConfig } from '../support/till';

let koshelek: KoshelekEmulator;
let partner: PartnerEmulator;
// Our stand-in for the partner's callback signer (its public key is in the till's config).
const callbackSigner = crypto.generateKeyPairSync('ec', { namedCurve: 'P-521' });
const callbackSignerId = spkiSha256(callbackSigner.publicKey);

beforeAll(async () => {
  koshelek = await startKoshelekEmulator({ confirmDelayMs: 50 });
  partner = await startPartnerEmulator({ completionDelayMs: 40 });
});
afterAll(async () => {
  await partner.close();
  await koshelek.close();
});

interface PartnerTill {
  core: StartedCore;
  dataDir: string;
  keys: PartnerKeyStore;
  outboxDb: string;
  close(): Promise<void>;
}
let till: PartnerTill | null = null;
afterEach(async () => {
  await till?.close();
  till = null;
});

/** A till whose key pairs were onboarded at the partner (public keys registered) before it starts. */
async function partnerTill(o: { register?: boolean; recheckMs?: number; watch?: boolean; callbackPort?: number; dataDir?: string } = {}): Promise<PartnerTill> {
  const restart = o.dataDir !== undefined;
  const dataDir = o.dataDir ?? tempDir('paydesk-partner-till-');
  const providerDir = path.join(dataDir, 'providers', 'partner');
  fs.mkdirSync(providerDir, { recursive: true, mode: 0o700 });
  const keys = new PartnerKeyStore(providerDir);
  if (!restart) keys.generate('payment');
  if (!restart) keys.generate('reversal');
  if (o.register !== false && !restart) for (const k of keys.publicKeys()) partner.registerKey(crypto.createPublicKey(k.pem), k.purpose);
  const configFile = writeTillConfig({
    emulator: koshelek,
    dataDir,
    extra: {
      providers: ['koshelek', 'partner'],
      partner: {
        enabled: true, baseUrl: partner.baseUrl, merchantId: 'merchant-1', currency: 'RUB',
        callbackListener: { enabled: true, port: o.callbackPort ?? 0 },
        partnerKeys: [String(partner.callbackPublicKey.export({ type: 'spki', format: 'pem' })), String(callbackSigner.publicKey.export({ type: 'spki', format: 'pem' }))],
        timing: { requestTimeoutMs: 2_000, recheckMs: o.recheckMs ?? 100, retryMs: 50 },
      },
    },
  });
  const core = await startCore({ configFile, dataDir, logger: silentLogger(), watchConfig: o.watch ?? false });
  return { core, dataDir, keys, outboxDb: partnerOutboxFile(providerDir, { baseUrl: partner.baseUrl, merchantId: 'merchant-1' }), close: () => core.close() };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function job(db: string, operationExternalId: string): { state: string; attempts: number; last_error: string | null } | undefined {
  const s = new Database(db, { readonly: true });
  try {
    return s.prepare('SELECT state, attempts, last_error FROM outbox_jobs WHERE dedupe_key = ?').get(`partner.confirm:${operationExternalId}`) as { state: string; attempts: number; last_error: string | null } | undefined;
  } finally {
    s.close();
  }
}

function customer(): { paymentId: string; card: { loyaltyId: string; payToken: string } } {
  const paymentId = `pay-${crypto.randomUUID().slice(0, 12)}`;
  partner.addPayment({ paymentId, amount: 0, currency: 'RUB' });
  return { paymentId, card: { loyaltyId: 'partner-customer', payToken: paymentId } };
}

describe('partner payments through the checkout', () => {
  it('a sale, an extra charge on it, a partial reversal: each confirmed by the outbox task; the partner ledger agrees', async () => {
    till = await partnerTill();
    const { core } = till;
    expect(core.checkout.methods().find((m) => m.provider === 'partner')).toMatchObject({ method: 'partner_card', needsCardScan: true, ready: true });
    const { paymentId, card } = customer();
    const order = orderId();
    const sale = await core.checkout.pay({ orderId: order, amountKop: 10_000, paymentType: 'partner_card', card });
    expect(sale).toMatchObject({ provider: 'partner', outcomeUnknown: true });
    const paid = await core.checkout.waitFinal(sale.id, 15_000);
    expect(paid).toMatchObject({ outcome: 'paid', isFinal: true });
    expect(job(till.outboxDb, paid.requestId)?.state).toBe('done');

    // The basket grew by 15.00: a new payment of the same sale, linked to it.
    const extra = await core.checkout.extraCharge({ paymentOperationId: sale.id, amountKop: 1_500, clientRequestKey: 'grew-1' });
    expect(extra).toMatchObject({ kind: 'payment', parentId: sale.id, orderId: `${order}+1`, amountKop: 1_500, provider: 'partner' });
    // A double press is the same extra charge.
    expect((await core.checkout.extraCharge({ paymentOperationId: sale.id, amountKop: 1_500, clientRequestKey: 'grew-1' })).id).toBe(extra.id);
    const extraDone = await core.checkout.waitFinal(extra.id, 15_000);
    expect(extraDone).toMatchObject({ outcome: 'paid', isFinal: true });
    expect(job(till.outboxDb, extraDone.requestId)?.state).toBe('done');

    // The order shrank by 20.00: a partial reversal of the sale, signed with the reversal key.
    const reversal = await core.checkout.refund({ paymentOperationId: sale.id, amountKop: 2_000, clientRequestKey: 'shrank-1' });
    const reversed = await core.checkout.waitFinal(reversal.id, 15_000);
    expect(reversed).toMatchObject({ kind: 'refund', outcome: 'refunded', amountKop: 2_000, parentId: sale.id });
    expect(core.checkout.get(sale.id)?.refundableKop).toBe(8_000);

    expect(partner.settled(paymentId, 'extra_charge').map((o) => o.amount).sort((a, b) => a - b)).toEqual([1_500, 10_000]);
    expect(partner.settled(paymentId, 'reversal').map((o) => o.amount)).toEqual([2_000]);
    // Every operation reached the partner once per operation_id (idempotent), none twice.
    expect(partner.operations().filter((o) => o.paymentId === paymentId)).toHaveLength(3);
    // The partner's signed callbacks reached the till and were accepted.
    expect(partner.callbacks().some((c) => c.status === 200)).toBe(true);
  });

  it('an extra charge on a payment that is not paid, or on a provider without extra charges, is refused before anything is written', async () => {
    till = await partnerTill();
    await expect(till.core.checkout.extraCharge({ paymentOperationId: 'nope', amountKop: 100 })).rejects.toMatchObject({ key: 'refund.payment_not_found' });
    await expect(till.core.checkout.extraCharge({ paymentOperationId: 'nope', amountKop: 0 })).rejects.toMatchObject({ key: 'ipc.invalid' });
    const koshelekSale = await till.core.checkout.pay({ orderId: orderId(), amountKop: 1_000, paymentType: 'SBP', card: card('OK') });
    expect((await till.core.checkout.waitFinal(koshelekSale.id, 15_000)).outcome).toBe('paid');
    await expect(till.core.checkout.extraCharge({ paymentOperationId: koshelekSale.id, amountKop: 100 })).rejects.toMatchObject({ key: 'payment.extra_not_supported' });
    partner.setFaults({ neverComplete: true });
    try {
      const pending = await till.core.checkout.pay({ orderId: orderId(), amountKop: 1_000, paymentType: 'partner_card', card: customer().card });
      await expect(till.core.checkout.extraCharge({ paymentOperationId: pending.id, amountKop: 100 })).rejects.toMatchObject({ key: 'refund.not_paid' });
    } finally {
      partner.setFaults({});
    }
    const before = till.core.journal.sqlite.prepare("SELECT COUNT(*) AS n FROM operations WHERE parent_id IS NOT NULL").get();
    expect(before).toEqual({ n: 0 });
  });

  it('a reversal signed with the payment key is refused by the partner: nothing moves, the task keeps asking; fixed keys, it goes through once', async () => {
    till = await partnerTill();
    const { paymentId, card } = customer();
    const sale = await till.core.checkout.pay({ orderId: orderId(), amountKop: 5_000, paymentType: 'partner_card', card });
    await till.core.checkout.waitFinal(sale.id, 15_000);
    // A misconfigured till: its reversal slot points at the payment key (index.json edited by hand).
    const index = path.join(till.dataDir, 'providers', 'partner', 'partner-keys', 'index.json');
    const good = fs.readFileSync(index, 'utf8');
    const parsed = JSON.parse(good) as { v: number; keys: { purpose: string; keyId: string; file: string }[] };
    const pay = parsed.keys.find((k) => k.purpose === 'payment');
    const broken = { ...parsed, keys: parsed.keys.map((k) => (k.purpose === 'reversal' && pay ? { ...k, keyId: pay.keyId, file: pay.file } : k)) };
    fs.writeFileSync(index, JSON.stringify(broken), { mode: 0o600 });
    const reversal = await till.core.checkout.refund({ paymentOperationId: sale.id, amountKop: 5_000 });
    const until = Date.now() + 10_000;
    while (!(job(till.outboxDb, reversal.requestId)?.last_error ?? '').includes('WRONG_KEY') && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(job(till.outboxDb, reversal.requestId)?.last_error).toMatch(/WRONG_KEY/);
    expect(partner.rejections().some((r) => r.code === 'WRONG_KEY')).toBe(true);
    expect(till.core.checkout.get(reversal.id)).toMatchObject({ isFinal: false, outcome: null });
    expect(partner.settled(paymentId, 'reversal')).toHaveLength(0);
    fs.writeFileSync(index, good, { mode: 0o600 });
    const done = await till.core.checkout.waitFinal(reversal.id, 15_000);
    expect(done.outcome).toBe('refunded');
    expect(partner.settled(paymentId, 'reversal').map((o) => o.amount)).toEqual([5_000]);
  });

  it('the callback receiver: a signed callback makes the check due; replayed, skewed, forged and unsigned ones are refused', async () => {
    till = await partnerTill({ recheckMs: 3_600_000 });
    partner.setFaults({ noCallbacks: true });
    try {
      const { card } = customer();
      const sale = await till.core.checkout.pay({ orderId: orderId(), amountKop: 700, paymentType: 'partner_card', card });
      // The partner accepted it PENDING; the next re-check is an hour away, so only a callback brings it now.
      const until = Date.now() + 10_000;
      while (job(till.outboxDb, sale.requestId)?.attempts !== 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 200)); // the partner completes it meanwhile
      expect(till.core.checkout.get(sale.id)?.isFinal).toBe(false);
      const row = till.core.journal.sqlite.prepare('SELECT context_json FROM operations WHERE id = ?').get(sale.id) as { context_json: string };
      const url = (JSON.parse(row.context_json) as { ctx: { callbackUrl: string } }).ctx.callbackUrl;
      const target = new URL(url);
      const send = async (o: { ts?: number; requestId?: string; tamper?: boolean; key?: crypto.KeyObject; keyId?: string; unsigned?: boolean } = {}): Promise<number> => {
        const body = Buffer.from(JSON.stringify({ operation_id: sale.requestId }));
        const headers = o.unsigned ? {} : signRequest({ method: 'POST', path: target.pathname, timestamp: o.ts ?? Math.floor(Date.now() / 1000), requestId: o.requestId ?? crypto.randomUUID(), body }, { keyId: o.keyId ?? callbackSignerId, privateKey: o.key ?? callbackSigner.privateKey }, 'merchant-1');
        const sent = o.tamper ? Buffer.from(JSON.stringify({ operation_id: sale.requestId, x: 1 })) : body;
        return (await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: new Uint8Array(sent) })).status;
      };
      const other = crypto.generateKeyPairSync('ec', { namedCurve: 'P-521' });
      expect(await send({ unsigned: true })).toBe(401);
      expect(await send({ tamper: true })).toBe(401);
      expect(await send({ key: other.privateKey, keyId: spkiSha256(other.publicKey) })).toBe(401); // not the partner's key
      expect(await send({ ts: Math.floor(Date.now() / 1000) - 400 })).toBe(401); // outside the skew window
      expect(till.core.checkout.get(sale.id)?.isFinal).toBe(false);
      const once = crypto.randomUUID();
      expect(await send({ requestId: once })).toBe(200);
      expect(await send({ requestId: once })).toBe(401); // replayed
      expect(target.pathname).toBe(CALLBACK_PATH);
      const done = await till.core.checkout.waitFinal(sale.id, 10_000);
      expect(done.outcome).toBe('paid');
    } finally {
      partner.setFaults({});
    }
  });

  it('a callback replayed after the till restarted is still refused (the replay cache is on disk); a fresh one is accepted', async () => {
    const port = await freePort();
    till = await partnerTill({ recheckMs: 3_600_000, callbackPort: port });
    const { dataDir } = till;
    partner.setFaults({ noCallbacks: true });
    try {
      const sale = await till.core.checkout.pay({ orderId: orderId(), amountKop: 800, paymentType: 'partner_card', card: customer().card });
      const url = `http://127.0.0.1:${port}${CALLBACK_PATH}`;
      const send = async (requestId: string): Promise<number> => {
        const body = Buffer.from(JSON.stringify({ operation_id: sale.requestId }));
        const headers = signRequest({ method: 'POST', path: CALLBACK_PATH, timestamp: Math.floor(Date.now() / 1000), requestId, body }, { keyId: callbackSignerId, privateKey: callbackSigner.privateKey }, 'merchant-1');
        return (await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: new Uint8Array(body) })).status;
      };
      const once = crypto.randomUUID();
      expect(await send(once)).toBe(200);
      expect(await send(once)).toBe(401);
      await till.close();
      till = null;
      // A real restart: a new core on the same data folder, a new receiver on the same port.
      till = await partnerTill({ recheckMs: 3_600_000, callbackPort: port, dataDir });
      expect(await send(once)).toBe(401);
      expect(await send(crypto.randomUUID())).toBe(200);
      const db = new Database(path.join(dataDir, 'providers', 'partner', 'callback-replay.db'), { readonly: true });
      try {
        expect(db.prepare('SELECT COUNT(*) AS n FROM callback_replay').get()).toEqual({ n: 2 });
      } finally {
        db.close();
      }
      // The task re-checks only on a callback here (recheck 1 h): if a check ran while the partner still said
      // PENDING (a loaded box), the next one comes with the partner's next callback, as in real life.
      const tillNow = till;
      const final = tillNow.core.checkout.waitFinal(sale.id, 30_000);
      let settled = false;
      void final.then(() => { settled = true; }, () => { settled = true; });
      while (!settled) {
        await new Promise((r) => setTimeout(r, 1_000));
        if (!settled) expect(await send(crypto.randomUUID())).toBe(200);
      }
      expect((await final).outcome).toBe('paid');
    } finally {
      partner.setFaults({});
    }
  });

  it('a request the partner refuses as skewed is not final: the till keeps the operation and confirms it once clocks agree', async () => {
    const skewed = await startPartnerEmulator({ completionDelayMs: 20, nowSeconds: () => Math.floor(Date.now() / 1000) + (clockAhead ? 900 : 0) });
    let clockAhead = true;
    const dataDir = tempDir('paydesk-partner-skew-');
    const providerDir = path.join(dataDir, 'providers', 'partner');
    fs.mkdirSync(providerDir, { recursive: true, mode: 0o700 });
    const keys = new PartnerKeyStore(providerDir);
    keys.generate('payment');
    keys.generate('reversal');
    for (const k of keys.publicKeys()) skewed.registerKey(crypto.createPublicKey(k.pem), k.purpose);
    const configFile = writeTillConfig({ emulator: koshelek, dataDir, extra: { providers: ['koshelek', 'partner'], partner: { enabled: true, baseUrl: skewed.baseUrl, timing: { recheckMs: 50, retryMs: 50 } } } });
    const core = await startCore({ configFile, dataDir, logger: silentLogger(), watchConfig: false });
    till = { core, dataDir, keys, outboxDb: partnerOutboxFile(providerDir, { baseUrl: skewed.baseUrl, merchantId: 'merchant-1' }), close: async () => { await core.close(); await skewed.close(); } };
    const paymentId = `pay-${crypto.randomUUID().slice(0, 12)}`;
    skewed.addPayment({ paymentId, amount: 0, currency: 'RUB' });
    const sale = await core.checkout.pay({ orderId: orderId(), amountKop: 900, paymentType: 'partner_card', card: { loyaltyId: 'c', payToken: paymentId } });
    const until = Date.now() + 10_000;
    while (!skewed.rejections().some((r) => r.code === 'CLOCK_SKEW') && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(skewed.rejections().some((r) => r.code === 'CLOCK_SKEW')).toBe(true);
    expect(core.checkout.get(sale.id)?.isFinal).toBe(false);
    expect(skewed.operations()).toHaveLength(0);
    clockAhead = false;
    expect((await core.checkout.waitFinal(sale.id, 15_000)).outcome).toBe('paid');
    expect(skewed.settled(paymentId, 'extra_charge')).toHaveLength(1);
  });

  it('a config edit of the partner section while an operation is unfinished: the new build\'s task finishes it and the sale ends paid, no restart', async () => {
    till = await partnerTill({ watch: true });
    partner.setFaults({ neverComplete: true });
    try {
      const { paymentId, card } = customer();
      const sale = await till.core.checkout.pay({ orderId: orderId(), amountKop: 3_300, paymentType: 'partner_card', card });
      const until = Date.now() + 10_000;
      while (partner.operations().filter((o) => o.paymentId === paymentId).length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      const file = path.join(till.dataDir, 'paydesk.config.json');
      const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as { partner: { timing: Record<string, number> } };
      fs.writeFileSync(file, JSON.stringify({ ...raw, partner: { ...raw.partner, timing: { ...raw.partner.timing, recheckMs: 120 } } }));
      await new Promise((r) => setTimeout(r, 1_000)); // the edit is picked up and the provider rebuilt
      expect(till.core.checkout.get(sale.id)?.isFinal).toBe(false);
      partner.completeNow();
      const done = await till.core.checkout.waitFinal(sale.id, 20_000);
      expect(done.outcome).toBe('paid');
      expect(partner.settled(paymentId, 'extra_charge')).toHaveLength(1);
    } finally {
      partner.setFaults({});
    }
  });

  it('bad partner config is refused clearly; a till whose partner folder cannot be opened still starts, the partner blocked', () => {
    const bad = configSchema.safeParse({ partner: { partnerKeys: ['-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----'] } });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toMatch(/P-521 public key in PEM/);
    const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' });
    expect(configSchema.safeParse({ partner: { partnerKeys: [String(rsa)] } }).success).toBe(false);
    expect(configSchema.safeParse({ partner: { baseUrl: 'not a url' } }).success).toBe(false);
  });

  it('a partner folder that is not a folder: the core starts, the method is listed but blocked, other sales go on', async () => {
    const dataDir = tempDir('paydesk-partner-broken-');
    fs.mkdirSync(path.join(dataDir, 'providers'), { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'providers', 'partner'), 'not a folder');
    const configFile = writeTillConfig({ emulator: koshelek, dataDir, extra: { providers: ['koshelek', 'partner'], partner: { enabled: true, baseUrl: partner.baseUrl } } });
    const core = await startCore({ configFile, dataDir, logger: silentLogger(), watchConfig: false });
    till = { core, dataDir, keys: new PartnerKeyStore(tempDir()), outboxDb: '', close: () => core.close() };
    const method = core.checkout.methods().find((m) => m.provider === 'partner');
    expect(method).toMatchObject({ ready: false });
    expect(method?.problem?.key).toBe('config.invalid');
    await expect(core.checkout.pay({ orderId: orderId(), amountKop: 100, paymentType: 'partner_card', card: customer().card })).rejects.toMatchObject({ key: 'config.invalid' });
    const sale = await core.checkout.pay({ orderId: orderId(), amountKop: 1_000, paymentType: 'SBP', card: card('OK') });
    expect((await core.checkout.waitFinal(sale.id, 15_000)).outcome).toBe('paid');
  });

  it('through the API the renderer calls: sale.extraCharge validates, charges, and answers refusals in Russian', async () => {
    till = await partnerTill();
    const scans = await createScanPort(till.core);
    const session = createApiSession({ core: till.core, scans, shell: 'kiosk', statusTickMs: 0 });
    try {
      const { paymentId, card: partnerCard } = customer();
      const sale = await till.core.checkout.pay({ orderId: orderId(), amountKop: 4_000, paymentType: 'partner_card', card: partnerCard });
      await till.core.checkout.waitFinal(sale.id, 15_000);
      const bad: ApiResponse = await session.dispatch('sale.extraCharge', { paymentOperationId: sale.id, amountKop: -1 });
      expect(bad).toMatchObject({ ok: false, error: { key: 'ipc.invalid' } });
      const ok: ApiResponse = await session.dispatch('sale.extraCharge', { paymentOperationId: sale.id, amountKop: 600, clientRequestKey: 'api-1' });
      expect(ok).toMatchObject({ ok: true, data: { kind: 'payment', parentId: sale.id, amountKop: 600 } });
      const id = ok.ok ? (ok.data as { id: string }).id : '';
      expect((await till.core.checkout.waitFinal(id, 15_000)).outcome).toBe('paid');
      expect(partner.settled(paymentId, 'extra_charge').map((o) => o.amount).sort((a, b) => a - b)).toEqual([600, 4_000]);
      const other = await till.core.checkout.pay({ orderId: orderId(), amountKop: 1_000, paymentType: 'SBP', card: card('OK') });
      await till.core.checkout.waitFinal(other.id, 15_000);
      const refused: ApiResponse = await session.dispatch('sale.extraCharge', { paymentOperationId: other.id, amountKop: 100 });
      expect(refused).toMatchObject({ ok: false, error: { key: 'payment.extra_not_supported' } });
      expect(refused.ok ? '' : refused.error.ru).toMatch(/Доплату/);
    } finally {
      await session.close();
      await scans.close();
    }
  });

  it('IT points the till at another partner while an operation is unfinished: it is never sent there; pointed back, it finishes once', async () => {
    till = await partnerTill({ watch: true });
    const other = await startPartnerEmulator({ completionDelayMs: 20 });
    try {
      for (const k of till.keys.publicKeys()) other.registerKey(crypto.createPublicKey(k.pem), k.purpose);
      partner.setFaults({ neverComplete: true, failBefore: 1_000_000 });
      const { paymentId, card: partnerCard } = customer();
      other.addPayment({ paymentId, amount: 0, currency: 'RUB' }); // the other partner would accept it
      const sale = await till.core.checkout.pay({ orderId: orderId(), amountKop: 2_200, paymentType: 'partner_card', card: partnerCard });
      await new Promise((r) => setTimeout(r, 300)); // the task is trying the first partner (500s)
      const file = path.join(till.dataDir, 'paydesk.config.json');
      const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as { partner: Record<string, unknown> };
      fs.writeFileSync(file, JSON.stringify({ ...raw, partner: { ...raw.partner, baseUrl: other.baseUrl } }));
      await new Promise((r) => setTimeout(r, 2_000));
      expect(other.operations()).toHaveLength(0);
      expect(till.core.checkout.get(sale.id)?.isFinal).toBe(false);
      partner.setFaults({});
      fs.writeFileSync(file, JSON.stringify(raw));
      const done = await till.core.checkout.waitFinal(sale.id, 20_000);
      expect(done.outcome).toBe('paid');
      expect(partner.settled(paymentId, 'extra_charge')).toHaveLength(1);
      expect(other.operations()).toHaveLength(0);
    } finally {
      partner.setFaults({});
      await other.close();
    }
  });
});
