import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as OTPAuth from 'otpauth';
import { afterAll, describe, expect, it } from 'vitest';
import { postbackBodySchema } from '../../main/payapi/koshelek/wire';
import { startKoshelekEmulator, testCardBarcode, type KoshelekEmulator } from './index';
import { item, session, TestClient } from './testkit';

const toClose: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of toClose.reverse()) await c();
});

async function start(opts: Parameters<typeof startKoshelekEmulator>[0]): Promise<KoshelekEmulator> {
  const emu = await startKoshelekEmulator(opts);
  toClose.push(() => emu.close());
  return emu;
}

describe('TLS', () => {
  it('serves HTTPS with a self-signed cert trusted through the returned CA; rejects untrusted clients', async () => {
    const emu = await start({ tls: true, confirmDelayMs: 30 });
    expect(emu.baseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/partner$/);
    expect(emu.ca).toContain('BEGIN CERTIFICATE');
    const c = new TestClient(emu);
    const { final } = await c.payAndWait(session('OK'));
    expect(final.json.status).toBe('accepted');
    c.close();
    const viaLocalhost = new TestClient(emu, { baseUrl: emu.baseUrl.replace('127.0.0.1', 'localhost') });
    expect((await viaLocalhost.status({ transactionId: 'x' })).status).toBe(200);
    viaLocalhost.close();
    const untrusted = new TestClient(emu, { ca: '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n' });
    await expect(untrusted.status({ transactionId: 'x' })).rejects.toThrow();
    untrusted.close();
  });

  it('accepts caller-provided key/cert', async () => {
    const selfsigned = (await import('selfsigned')).default;
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'ec', algorithm: 'sha256' });
    const emu = await start({ tls: { key: pems.private, cert: pems.cert } });
    expect(emu.ca).toBe(pems.cert);
    const c = new TestClient(emu, { baseUrl: emu.baseUrl.replace('127.0.0.1', 'localhost') });
    expect((await c.status({ transactionId: 'x' })).status).toBe(200);
    c.close();
  });
});

interface Delivered {
  auth: string | undefined;
  body: Record<string, unknown>;
}

async function postbackListener(status = 200): Promise<{ url: string; got: Delivered[]; close: () => Promise<void> }> {
  const got: Delivered[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ auth: req.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/koshelek/postback`;
  return { url, got, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

async function until(cond: () => boolean, ms = 3_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
}

describe('postback', () => {
  it('pushes the status object (POST, Basic auth) on every state change, without any polling', async () => {
    const pb = await postbackListener();
    toClose.push(pb.close);
    const emu = await start({ confirmDelayMs: 60, postback: { url: pb.url, login: 'partner', password: 's3cret' } });
    const c = new TestClient(emu);
    const co = await c.checkout(session('OK'));
    const transactionId = String(co.json.transactionId);
    await until(() => pb.got.some((g) => g.body.status === 'accepted'));
    const statuses = pb.got.filter((g) => g.body.transactionId === transactionId).map((g) => g.body.status);
    expect(statuses).toEqual(['new', 'pending', 'accepted']);
    for (const g of pb.got) {
      expect(g.auth).toBe(`Basic ${Buffer.from('partner:s3cret').toString('base64')}`);
      expect(postbackBodySchema.safeParse(g.body).success).toBe(true);
    }
    const accepted = pb.got.find((g) => g.body.status === 'accepted');
    expect((accepted?.body.slip as Record<string, unknown>).qrcId).toEqual(expect.any(String));
    // no status request was made: the timer drove the transitions
    expect(emu.received.filter((r) => r.endpoint === 'status')).toHaveLength(0);

    const refund = await c.refund(transactionId, 1900, [item('1111111', 1900, 1, 1900)]);
    await until(() => pb.got.some((g) => g.body.refTransactionId === refund.json.refTransactionId));
    const ref = pb.got.find((g) => g.body.refTransactionId === refund.json.refTransactionId);
    expect(ref?.body).toMatchObject({ refStatus: 'accepted', status: 'partial_refunded', transactionId });
    c.close();
  });

  it('async refunds (RN) are pushed when they complete; postback can be switched on later', async () => {
    const pb = await postbackListener();
    toClose.push(pb.close);
    const emu = await start({ confirmDelayMs: 60 });
    const c = new TestClient(emu);
    const co = await c.checkout(session('RN'));
    const transactionId = String(co.json.transactionId);
    emu.setOptions({ postback: { url: pb.url, login: 'l', password: 'p' } });
    await until(() => pb.got.some((g) => g.body.status === 'accepted'));
    expect(pb.got.map((g) => g.body.status)).toContain('accepted');
    const r = await c.refund(transactionId, 14245, [item('1111111', 1900, 1, 1900), item('2222222', 12345, 1, 12345)]);
    expect(r.json.refStatus).toBe('new');
    await until(() => pb.got.some((g) => g.body.refStatus === 'accepted'));
    expect(pb.got.find((g) => g.body.refStatus === 'accepted')?.body).toMatchObject({ status: 'refunded', refTransactionId: r.json.refTransactionId });
    c.close();
  });

  it('retries a failing listener a few times', async () => {
    const pb = await postbackListener(500);
    toClose.push(pb.close);
    const emu = await start({ confirmDelayMs: 10_000, postback: { url: pb.url, login: 'l', password: 'p' } });
    const c = new TestClient(emu);
    await c.checkout(session('OK'));
    await until(() => pb.got.length >= 3);
    expect(pb.got.length).toBe(3);
    expect(new Set(pb.got.map((g) => g.body.status))).toEqual(new Set(['new']));
    c.close();
  });
});

describe('testCardBarcode', () => {
  it('layout KP + 13-digit card + 6-char session + 3-digit RFC 6238 TOTP (SHA256, 30 s)', () => {
    const now = Date.UTC(2024, 0, 5, 11, 56, 34);
    const code = testCardBarcode('DL', now);
    expect(code).toMatch(/^KP2000000\d{6}DL[A-Z0-9]{4}\d{3}$/);
    const totp = new OTPAuth.TOTP({ algorithm: 'SHA256', digits: 3, period: 30, secret: OTPAuth.Secret.fromHex('4b6f7368656c656b5465737443617264') });
    expect(code.slice(-3)).toBe(totp.generate({ timestamp: now }));
    expect(totp.validate({ token: code.slice(-3), timestamp: now + 29_000, window: 1 })).not.toBeNull();
    expect(testCardBarcode().slice(15, 17)).toBe('OK');
    expect(() => testCardBarcode('TOOLONG')).toThrow();
  });
});
