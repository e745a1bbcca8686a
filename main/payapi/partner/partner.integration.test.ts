// The partner flow over loopback: our key store and client against the emulator, which verifies every
// request per docs/partner-api.yaml; an extra charge and a partial reversal end to end through the
// self-rescheduling outbox task on a real SQLite journal; the actor path; the signed callback.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPartnerEmulator, type PartnerEmulator } from '../../../emulators/partner/server';
import { OperationActor } from '../../checkout/runner';
import { openJournal, type Journal } from '../../journal/database';
import { OperationStore } from '../../journal/operations';
import { enqueue, findJobByDedupeKey } from '../../outbox/store';
import { OutboxWorker } from '../../outbox/worker';
import { registerHandler } from '../../outbox/handler';
import { ReplayCache, canonicalString, signRequest } from './canonical';
import { onPaymentCompleted } from './callback';
import { PartnerClient, type PartnerKeys } from './client';
import { PARTNER_PATHS } from './contract';
import { PartnerOperationDriver, partnerIntent } from './driver';
import { partnerConfirmHandler, partnerConfirmJob } from './jobs';
import { PartnerKeyStore, safeStorageProtector } from './keys';
import { derToRaw } from './signature';
import type { PartnerEvent, PartnerState } from './machine';

let emu: PartnerEmulator;
let dir: string;
let store: PartnerKeyStore;
let journal: Journal;
const FAST = { baseMs: 20, factor: 2, capMs: 200, jitter: 0, maxAttempts: null };

function client(keys: PartnerKeys = store, baseUrl = emu.baseUrl): PartnerClient {
  return new PartnerClient({ baseUrl, merchantId: 'merchant-1', keys, timeoutMs: 2_000 });
}

/** A raw signed POST, to test the emulator's verification without our client's help. */
async function rawPost(p: string, body: Buffer, purpose: 'payment' | 'reversal', mutate: (h: Record<string, string>, b: Buffer) => Buffer = (_h, b) => b, timestamp = Math.floor(Date.now() / 1000), requestId = crypto.randomUUID()): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers = signRequest({ method: 'POST', path: p, timestamp, requestId, body }, store.signingKey(purpose), 'merchant-1');
  const sent = mutate(headers, Buffer.from(body));
  const res = await fetch(emu.baseUrl + p, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: new Uint8Array(sent) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function session(purpose: 'payment' | 'reversal'): Promise<string> {
  const r = await rawPost(PARTNER_PATHS.initSession, Buffer.from(JSON.stringify({ merchant_id: 'merchant-1', purpose })), purpose);
  expect(r.status).toBe(200);
  return String(r.json.session_id);
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-partner-'));
  store = new PartnerKeyStore(dir);
  store.generate('payment');
  store.generate('reversal');
  emu = await startPartnerEmulator({ completionDelayMs: 30 });
  for (const k of store.publicKeys()) emu.registerKey(crypto.createPublicKey(k.pem), k.purpose);
  journal = openJournal(path.join(dir, 'till.db'));
});
afterAll(async () => {
  journal.close();
  await emu.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('key store', () => {
  it('keeps private keys 0600 in a 0700 directory and shows PEM + fingerprint only', () => {
    const keysDir = path.join(dir, 'partner-keys');
    expect(fs.statSync(keysDir).mode & 0o777).toBe(0o700);
    for (const f of fs.readdirSync(keysDir)) expect(fs.statSync(path.join(keysDir, f)).mode & 0o777).toBe(0o600);
    const shown = store.publicKeys();
    expect(shown.map((k) => k.purpose).sort()).toEqual(['payment', 'reversal']);
    for (const k of shown) {
      expect(k.pem).toContain('BEGIN PUBLIC KEY');
      expect(k.pem).not.toContain('PRIVATE');
      expect(k.fingerprint).toMatch(/^SHA256:([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      const der = crypto.createPublicKey(k.pem).export({ type: 'spki', format: 'der' });
      expect(crypto.createHash('sha256').update(der).digest('hex')).toBe(k.keyId);
    }
  });

  it('refuses a private key file others can read', () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-partner-mode-'));
    const s = new PartnerKeyStore(d);
    const k = s.generate('payment');
    fs.chmodSync(path.join(d, 'partner-keys', `payment-${k.keyId}.key`), 0o644);
    expect(() => s.signingKey('payment')).toThrow(/readable by others/);
    fs.rmSync(d, { recursive: true, force: true });
  });

  it('rotation: the new key signs at once, the old one stays live for the overlap, then retires', () => {
    let now = 1_000_000;
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-partner-rot-'));
    const s = new PartnerKeyStore(d, undefined, () => now);
    const old = s.generate('payment');
    const fresh = s.rotate('payment', 60_000);
    expect(s.signingKey('payment').keyId).toBe(fresh.keyId);
    expect(s.live('payment').map((k) => k.keyId)).toEqual([fresh.keyId, old.keyId]);
    now += 60_001;
    expect(s.live('payment').map((k) => k.keyId)).toEqual([fresh.keyId]);
    fs.rmSync(d, { recursive: true, force: true });
  });
});

describe('the emulator verifies exactly per the spec', () => {
  it('accepts a correctly signed request', async () => {
    expect(await session('payment')).toMatch(/-/);
  });

  it('refuses a one-bit change of the body after signing', async () => {
    const r = await rawPost(PARTNER_PATHS.initSession, Buffer.from(JSON.stringify({ merchant_id: 'merchant-1', purpose: 'payment' })), 'payment', (_h, b) => {
      b[5] = (b[5] ?? 0) ^ 0x01;
      return b;
    });
    expect(r).toMatchObject({ status: 401, json: { error: 'SIGNATURE_INVALID', fault: 'mismatch' } });
  });

  it('refuses a one-bit change of the path, and a DER signature with a precise fault', async () => {
    const body = Buffer.from(JSON.stringify({ merchant_id: 'merchant-1', purpose: 'payment' }));
    const headers = signRequest({ method: 'POST', path: '/v1/initSessioN', timestamp: Math.floor(Date.now() / 1000), requestId: crypto.randomUUID(), body }, store.signingKey('payment'), 'merchant-1');
    const res = await fetch(emu.baseUrl + PARTNER_PATHS.initSession, { method: 'POST', headers, body: new Uint8Array(body) });
    expect(res.status).toBe(401);
    const der = await rawPost(PARTNER_PATHS.initSession, body, 'payment', (h, b) => {
      const canonical = 'whatever';
      h['x-signature'] = crypto.sign('sha512', Buffer.from(canonical), store.signingKey('payment').privateKey).toString('base64url');
      return b;
    });
    expect(der.json).toMatchObject({ error: 'SIGNATURE_INVALID', fault: 'looks_like_der' });
  });

  it('refuses a reversal signed with the payment key', async () => {
    const sid = await session('payment');
    emu.addPayment({ paymentId: 'pay-wrongkey', amount: 10_000, currency: 'RUB' });
    const body = Buffer.from(JSON.stringify({ session_id: sid, operation_id: crypto.randomUUID(), payment_id: 'pay-wrongkey', amount: 100, currency: 'RUB', callback_url: 'http://127.0.0.1:1/cb' }));
    const r = await rawPost(PARTNER_PATHS.processPaymentReversal, body, 'payment');
    expect(r).toMatchObject({ status: 403, json: { error: 'WRONG_KEY' } });
    // …and through the client: a key store that hands out the payment key for everything.
    const confused: PartnerKeys = { signingKey: () => store.signingKey('payment') };
    const out = await client(confused).submit('reversal', { operationId: crypto.randomUUID(), paymentId: 'pay-wrongkey', amountMinor: 100, currency: 'RUB', callbackUrl: 'http://127.0.0.1:1/cb' });
    expect(out).toMatchObject({ kind: 'refused', status: 403, code: 'WRONG_KEY' });
    expect(emu.operations().filter((o) => o.paymentId === 'pay-wrongkey')).toHaveLength(0);
  });

  it('refuses a request outside the skew window, either side, and accepts one just inside', async () => {
    const body = Buffer.from(JSON.stringify({ merchant_id: 'merchant-1', purpose: 'payment' }));
    const now = Math.floor(Date.now() / 1000);
    expect((await rawPost(PARTNER_PATHS.initSession, body, 'payment', undefined, now - 301)).json).toMatchObject({ error: 'CLOCK_SKEW' });
    expect((await rawPost(PARTNER_PATHS.initSession, body, 'payment', undefined, now + 302)).json).toMatchObject({ error: 'CLOCK_SKEW' });
    expect((await rawPost(PARTNER_PATHS.initSession, body, 'payment', undefined, now - 290)).status).toBe(200);
  });

  it('refuses a replayed request id, even with a fresh signature', async () => {
    const body = Buffer.from(JSON.stringify({ merchant_id: 'merchant-1', purpose: 'payment' }));
    const id = crypto.randomUUID();
    expect((await rawPost(PARTNER_PATHS.initSession, body, 'payment', undefined, undefined, id)).status).toBe(200);
    expect((await rawPost(PARTNER_PATHS.initSession, body, 'payment', undefined, undefined, id)).json).toMatchObject({ error: 'REPLAYED' });
  });

  it('refuses an unknown key (a rotated-out key the partner dropped)', async () => {
    const other = new PartnerKeyStore(fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-partner-other-')));
    other.generate('payment');
    const out = await client(other).initSession('payment');
    expect(out).toMatchObject({ kind: 'refused', code: 'UNKNOWN_KEY' });
  });
});

describe('requests signed by other implementations (inputs we did not make)', () => {
  const body = Buffer.from(JSON.stringify({ merchant_id: 'merchant-1', purpose: 'payment' }));
  const headersFor = (signature: string, requestId: string, timestamp: number, keyId: string): Record<string, string> => ({
    'x-merchant-id': 'merchant-1', 'x-key-id': keyId, 'x-request-id': requestId, 'x-timestamp': String(timestamp), 'x-signature': signature, 'content-type': 'application/json',
  });

  it('WebCrypto signs the canonical string: accepted', async () => {
    const key = store.signingKey('payment');
    const priv = await crypto.webcrypto.subtle.importKey('pkcs8', key.privateKey.export({ type: 'pkcs8', format: 'der' }), { name: 'ECDSA', namedCurve: 'P-521' }, false, ['sign']);
    const requestId = crypto.randomUUID();
    const timestamp = Math.floor(Date.now() / 1000);
    const canonical = canonicalString({ method: 'POST', path: PARTNER_PATHS.initSession, timestamp, requestId, body });
    const sig = Buffer.from(await crypto.webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-512' }, priv, Buffer.from(canonical))).toString('base64url');
    const res = await fetch(emu.baseUrl + PARTNER_PATHS.initSession, { method: 'POST', headers: headersFor(sig, requestId, timestamp, key.keyId), body: new Uint8Array(body) });
    expect(res.status).toBe(200);
  });

  it('the openssl CLI signs (DER): refused as looks_like_der as sent, accepted once converted to raw', async () => {
    const key = store.signingKey('payment');
    const keyFile = path.join(dir, 'cli-key.pem');
    fs.writeFileSync(keyFile, key.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const send = async (sign: (der: Buffer) => string): Promise<{ status: number; json: Record<string, unknown> }> => {
      const requestId = crypto.randomUUID();
      const timestamp = Math.floor(Date.now() / 1000);
      const canonical = canonicalString({ method: 'POST', path: PARTNER_PATHS.initSession, timestamp, requestId, body });
      const der = execFileSync('openssl', ['dgst', '-sha512', '-sign', keyFile], { input: canonical });
      const res = await fetch(emu.baseUrl + PARTNER_PATHS.initSession, { method: 'POST', headers: headersFor(sign(der), requestId, timestamp, key.keyId), body: new Uint8Array(body) });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    expect(await send((der) => der.toString('base64url'))).toMatchObject({ status: 401, json: { fault: 'looks_like_der' } });
    expect(await send((der) => der.toString('base64'))).toMatchObject({ status: 401 });
    expect((await send((der) => derToRaw(der).toString('base64url'))).status).toBe(200);
  });

  it('a 429 from the partner is a rate limit with its Retry-After, not a refusal', async () => {
    emu.setFaults({ rateLimit: 1 });
    expect(await client().initSession('payment')).toEqual({ kind: 'rate_limited', retryAfterMs: 1000 });
    emu.setFaults({});
  });
});

describe('end to end with the self-rescheduling status task (outbox, real SQLite)', () => {
  async function runJob(kind: 'extra_charge' | 'reversal', paymentId: string, amountMinor: number): Promise<string> {
    const operationId = crypto.randomUUID();
    enqueue(journal.sqlite, partnerConfirmJob({ kind, operationId, paymentId, amountMinor, currency: 'RUB', callbackUrl: 'http://127.0.0.1:9/v1/on_payment_completed', recheckMs: 40 }), Date.now());
    const worker = new OutboxWorker(journal.sqlite, [registerHandler(partnerConfirmHandler(client(), FAST))], { maxSleepMs: 10 });
    worker.start();
    const end = Date.now() + 10_000;
    while (Date.now() < end) {
      const job = findJobByDedupeKey(journal.sqlite, `partner.confirm:${operationId}`);
      if (job && (job.state === 'done' || job.state === 'failed')) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    await worker.stop();
    return operationId;
  }

  it('an extra charge: sent once, PENDING re-checked, confirmed SUCCEEDED; one charge though the first send was dropped', async () => {
    emu.addPayment({ paymentId: 'pay-extra', amount: 50_000, currency: 'RUB' });
    emu.setFaults({ dropAfter: 1 });
    const op = await runJob('extra_charge', 'pay-extra', 1_250);
    const job = findJobByDedupeKey(journal.sqlite, `partner.confirm:${op}`);
    expect(job?.state).toBe('done');
    expect(job?.attempts).toBeGreaterThanOrEqual(2);
    expect(emu.settled('pay-extra', 'extra_charge')).toHaveLength(1);
    expect(emu.settled('pay-extra', 'extra_charge')[0]?.amount).toBe(1_250);
  });

  it('a partial reversal with the reversal key, then a second that exceeds what is left is refused', async () => {
    emu.setFaults({});
    emu.addPayment({ paymentId: 'pay-rev', amount: 10_000, currency: 'RUB' });
    await runJob('reversal', 'pay-rev', 4_000);
    expect(emu.settled('pay-rev', 'reversal').map((o) => o.amount)).toEqual([4_000]);
    const second = await runJob('reversal', 'pay-rev', 6_001);
    expect(findJobByDedupeKey(journal.sqlite, `partner.confirm:${second}`)).toMatchObject({ state: 'failed', lastErrorKey: 'partner.amount_exceeds' });
    expect(emu.settled('pay-rev', 'reversal')).toHaveLength(1);
  });

  it('a declined operation ends failed, not retried forever', async () => {
    emu.setFaults({ declineNext: 1 });
    emu.addPayment({ paymentId: 'pay-decl', amount: 10_000, currency: 'RUB' });
    const op = await runJob('extra_charge', 'pay-decl', 500);
    expect(findJobByDedupeKey(journal.sqlite, `partner.confirm:${op}`)).toMatchObject({ state: 'failed', lastErrorKey: 'partner.declined' });
  });
});

describe('the till actor path (journal + OperationActor)', () => {
  it('a full reversal: 500 before acting, then accepted, confirmed; the journal row ends refunded', async () => {
    emu.setFaults({ failBefore: 1 });
    emu.addPayment({ paymentId: 'pay-actor', amount: 7_000, currency: 'RUB' });
    const ops = new OperationStore(journal.sqlite);
    const operationId = crypto.randomUUID();
    const { row, state, event } = partnerIntent({ kind: 'reversal', operationId, paymentId: 'pay-actor', amountMinor: 7_000, currency: 'RUB', callbackUrl: 'http://127.0.0.1:9/cb', recheckMs: [30], parentOperationId: 'parent-1', journalOrderId: 'order-actor', shiftId: null }, Date.now());
    ops.insertIntent({ ...row, parent_id: null }, [], event);
    const actor = new OperationActor<PartnerState, PartnerEvent>(state, new PartnerOperationDriver(operationId, { ...row, parent_id: null }, client()), ops, { onChange: () => {}, onError: () => {}, onSettled: () => {} });
    actor.start();
    await actor.whenFinal();
    expect(actor.current.phase).toBe('succeeded');
    expect(ops.get(operationId)).toMatchObject({ outcome: 'refunded', is_final: 1, kind: 'refund' });
    expect(emu.settled('pay-actor', 'reversal')).toHaveLength(1);
  });
});

describe('on_payment_completed', () => {
  it('verifies the partner-signed callback and only triggers a status check; a tampered one is refused', async () => {
    const checks: string[] = [];
    const replay = new ReplayCache(600);
    const results: number[] = [];
    const tamper = { on: false };
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        if (tamper.on) body[2] = (body[2] ?? 0) ^ 1;
        const r = onPaymentCompleted({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body }, {
          partnerKeys: new Map([[emu.callbackKeyId, emu.callbackPublicKey]]), replay, nowSeconds: () => Math.floor(Date.now() / 1000),
          checkNow: (id) => {
            checks.push(id);
            return true;
          },
        });
        results.push(r.status);
        res.writeHead(r.status).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/on_payment_completed`;
    emu.setFaults({});
    emu.addPayment({ paymentId: 'pay-cb', amount: 1_000, currency: 'RUB' });
    const op1 = crypto.randomUUID();
    expect(await client().submit('extra_charge', { operationId: op1, paymentId: 'pay-cb', amountMinor: 100, currency: 'RUB', callbackUrl: url })).toMatchObject({ kind: 'ok' });
    const until = async (n: number): Promise<void> => {
      const end = Date.now() + 5_000;
      while (results.length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    };
    await until(1);
    expect(results).toEqual([200]);
    expect(checks).toEqual([op1]);
    tamper.on = true;
    await client().submit('extra_charge', { operationId: crypto.randomUUID(), paymentId: 'pay-cb', amountMinor: 100, currency: 'RUB', callbackUrl: url });
    await until(2);
    expect(results).toEqual([200, 401]);
    expect(checks).toEqual([op1]);
    server.close();
  });
});

describe('key protector', () => {
  it('with an OS protector the private key at rest is sealed, not a PEM, and still signs', async () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-partner-seal-'));
    const secret = crypto.randomBytes(32);
    const protector = {
      available: true,
      seal: (b: Buffer) => {
        const iv = crypto.randomBytes(12);
        const c = crypto.createCipheriv('aes-256-gcm', secret, iv);
        const body = Buffer.concat([c.update(b), c.final()]);
        return Buffer.concat([iv, c.getAuthTag(), body]);
      },
      open: (b: Buffer) => {
        const d2 = crypto.createDecipheriv('aes-256-gcm', secret, b.subarray(0, 12));
        d2.setAuthTag(b.subarray(12, 28));
        return Buffer.concat([d2.update(b.subarray(28)), d2.final()]);
      },
    };
    const s = new PartnerKeyStore(d, protector);
    const k = s.generate('payment');
    const file = fs.readFileSync(path.join(d, 'partner-keys', `payment-${k.keyId}.key`));
    expect(file.toString('latin1')).not.toContain('PRIVATE KEY');
    emu.registerKey(crypto.createPublicKey(k.pem), 'payment');
    expect(await client(s).initSession('payment')).toMatchObject({ kind: 'ok' });
    fs.rmSync(d, { recursive: true, force: true });
  });
});

describe('safeStorage protector', () => {
  const fake = (backend: string) => ({
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => backend,
    encryptString: (t: string) => Buffer.from(`sealed:${Buffer.from(t).toString('hex')}`),
    decryptString: (b: Buffer) => Buffer.from(b.toString().slice('sealed:'.length), 'hex').toString(),
  });

  it("Linux 'basic_text' is not protection: keys stay plain 0600 files; a real backend seals them", () => {
    expect(safeStorageProtector(fake('basic_text'), 'linux').available).toBe(false);
    expect(safeStorageProtector(fake('gnome_libsecret'), 'linux').available).toBe(true);
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-partner-ss-'));
    const s = new PartnerKeyStore(d, safeStorageProtector(fake('gnome_libsecret'), 'linux'));
    const k = s.generate('reversal');
    expect(fs.readFileSync(path.join(d, 'partner-keys', `reversal-${k.keyId}.key`), 'utf8')).toMatch(/^sealed:/);
    expect(s.signingKey('reversal').keyId).toBe(k.keyId);
    fs.rmSync(d, { recursive: true, force: true });
  });
});
