// Fail closed (docs/safety.md): a misconfigured till sells nothing rather than "works" on an emulator; an
// operation is resumed only on the connection it was started on; the emulator's control API never runs in a
// test/production till; the public TOTP test key is refused outside the emulator environment.
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCore, type StartedCore } from '../../main/core/core';
import { silentLogger } from '../../main/log/logger';
import { DEFAULT_TEST_CARD } from '../../main/totp/config';
import { startKoshelekEmulator, type KoshelekEmulator } from '../../emulators/koshelek';
import { card, orderId, tempDir, writeTillConfig } from '../support/till';

const cleanup: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const x of cleanup.splice(0).reverse()) await x.close();
  delete process.env.PAYDESK_KOSHELEK_PASSWORD;
});

async function core(configFile: string, dataDir: string): Promise<StartedCore> {
  const c = await startCore({ configFile, dataDir, logger: silentLogger(), watchConfig: false });
  cleanup.push(c);
  return c;
}

async function emulatorOn(options: Parameters<typeof startKoshelekEmulator>[0] = {}): Promise<KoshelekEmulator> {
  const e = await startKoshelekEmulator({ confirmDelayMs: 100, ...options });
  cleanup.push(e);
  return e;
}

/** Loopback ports listening now (Linux): proves no embedded emulator was started. */
function listeningPorts(): Set<number> {
  const ports = new Set<number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] === '0A' && cols[1]) ports.add(Number.parseInt(cols[1].split(':')[1] ?? '0', 16));
    }
  }
  return ports;
}

describe('no emulator fallback', () => {
  for (const environment of ['production', 'test'] as const) {
    it(`${environment} without a password: sales blocked with an instruction for IT, no emulator, nothing journaled`, async () => {
      const dataDir = tempDir();
      const file = path.join(dataDir, 'paydesk.config.json');
      fs.writeFileSync(file, JSON.stringify({ koshelek: { environment, login: 'shop-42', password: '' }, totp: { cards: [{ ...DEFAULT_TEST_CARD, keyHex: 'a1b2c3d4e5f60718' }] } }));
      const before = listeningPorts();
      const c = await core(file, dataDir);
      expect(c.emulator).toBeNull();
      const opened = [...listeningPorts()].filter((p) => !before.has(p));
      expect(opened).toEqual([]);
      const env = c.environment();
      expect(env.mode).toBe(environment);
      expect(env.embeddedEmulator).toBe(false);
      expect(env.blocked?.key).toBe('config.credentials_missing');
      expect(env.blocked?.ru).toMatch(/заблокирован/);
      expect(c.health().payApi).toBe('down');
      await expect(c.checkout.pay({ orderId: orderId(), amountKop: 10000, card: card('OK'), paymentType: 'SBP' })).rejects.toMatchObject({ key: 'config.credentials_missing' });
      await expect(c.checkout.availability({ orderId: orderId(), amountKop: 10000, card: card('OK') })).rejects.toMatchObject({ key: 'config.credentials_missing' });
      expect(c.checkout.query({})).toEqual([]);
    });
  }

  it('the public TOTP test key is refused outside the emulator environment', async () => {
    const emulator = await emulatorOn();
    const dataDir = tempDir();
    const configFile = writeTillConfig({ emulator, dataDir, extra: { totp: { cards: [{ ...DEFAULT_TEST_CARD }] } } });
    const c = await core(configFile, dataDir);
    expect(c.environment().blocked?.key).toBe('config.public_totp_key');
    await expect(c.checkout.pay({ orderId: orderId(), amountKop: 10000, card: card('OK'), paymentType: 'SBP' })).rejects.toMatchObject({ key: 'config.public_totp_key' });
    expect(emulator.received.filter((r) => r.endpoint === 'checkout')).toHaveLength(0);
  });

  it('a fresh install defaults to the emulator environment, and its embedded emulator has no control API', async () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'paydesk.config.json');
    const c = await core(file, dataDir);
    expect(c.environment().mode).toBe('emulator');
    expect(c.environment().embeddedEmulator).toBe(true);
    expect(c.environment().blocked).toBeNull();
    const base = c.emulator?.baseUrl ?? '';
    const origin = new URL(base).origin;
    // Self-signed TLS: ask with node's https and the emulator's CA.
    const status = await new Promise<number>((resolve, reject) => {
      const req = https.request(`${origin}/__emulator/health`, { ca: c.emulator?.ca ?? undefined }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(404);
  });
});

describe('files and permissions', () => {
  it('data folder 0700, journal and log 0600; a group/other-readable config is refused in production', async () => {
    const emulator = await emulatorOn();
    const dataDir = path.join(tempDir(), 'data');
    fs.mkdirSync(dataDir, { mode: 0o755 });
    const configFile = writeTillConfig({ emulator, dataDir, koshelek: { environment: 'production', baseUrls: { test: emulator.baseUrl, production: emulator.baseUrl } } });
    fs.chmodSync(configFile, 0o644);
    const exposed = await startCore({ configFile, dataDir, watchConfig: false });
    cleanup.push(exposed);
    expect(exposed.environment().blocked?.key).toBe('config.insecure_permissions');
    await expect(exposed.checkout.pay({ orderId: orderId(), amountKop: 10000, card: card('OK'), paymentType: 'SBP' })).rejects.toMatchObject({ key: 'config.insecure_permissions' });
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dataDir, 'journal.db')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dataDir, 'logs', 'paydesk.log')).mode & 0o777).toBe(0o600);
    await exposed.close();
    cleanup.splice(cleanup.indexOf(exposed), 1);
    fs.chmodSync(configFile, 0o600);
    const fixed = await core(configFile, dataDir);
    expect(fixed.environment().blocked).toBeNull();
    expect(fixed.environment().mode).toBe('production');
  });

  it('a fresh install writes its config 0600', async () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'fresh', 'paydesk.config.json');
    await core(file, dataDir);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });
});

describe('connection identity', () => {
  it('a payment journaled on one connection is held, untouched, when the till restarts on another', async () => {
    const original = await emulatorOn({ confirmDelayMs: 2_000 }); // the customer confirms while the till is away
    const other = await emulatorOn();
    const dataDir = tempDir();
    const configFile = writeTillConfig({ emulator: original, dataDir, timing: { finalStatusTimeoutMs: 30_000, pollIntervalMs: 5_000 } });
    const first = await core(configFile, dataDir);
    const op = await first.checkout.pay({ orderId: orderId(), amountKop: 10000, card: card('OK'), paymentType: 'SBP' });
    const until = Date.now() + 5_000;
    while (first.checkout.get(op.id)?.phase !== 'awaiting_status' && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(first.checkout.get(op.id)?.phase).toBe('awaiting_status');
    await first.close();
    cleanup.splice(cleanup.indexOf(first), 1);

    // Restart pointed elsewhere (another base URL): the payment must not be sent there, nor finished.
    writeTillConfig({ emulator: other, dataDir });
    const second = await core(configFile, dataDir);
    await new Promise((r) => setTimeout(r, 500));
    const view = second.checkout.get(op.id);
    expect(view?.isFinal).toBe(false);
    expect(view?.held).toBe(true);
    expect(view?.cancellable).toBe(false);
    expect(view?.error?.key).toBe('payment.held_connection');
    expect(second.environment().heldOperations).toBe(1);
    expect(other.received.filter((r) => r.endpoint !== 'unknown')).toHaveLength(0);
    const note = second.journal.sqlite.prepare("SELECT body_json FROM operation_events WHERE operation_id = ? AND type = 'note' ORDER BY rowid DESC LIMIT 1").get(op.id) as { body_json: string };
    expect(JSON.parse(note.body_json)).toMatchObject({ held: 'needs_original_connection' });
    await second.close();
    cleanup.splice(cleanup.indexOf(second), 1);

    // Restart with credentials missing (a vault that did not open): blocked, still held, nothing sent anywhere.
    writeTillConfig({ emulator: original, dataDir, koshelek: { password: '' } });
    const third = await core(configFile, dataDir);
    expect(third.environment().blocked?.key).toBe('config.credentials_missing');
    expect(third.checkout.get(op.id)?.held).toBe(true);
    expect(third.checkout.get(op.id)?.isFinal).toBe(false);
    await third.close();
    cleanup.splice(cleanup.indexOf(third), 1);

    // The original connection again: resumed there and finished by the original server's truth.
    writeTillConfig({ emulator: original, dataDir });
    const fourth = await core(configFile, dataDir);
    const done = await fourth.checkout.waitFinal(op.id, 15_000);
    expect(done.outcome).toBe('paid');
    expect(done.held).toBe(false);
    expect(original.transaction(done.transactionId ?? '')?.status).toBe('accepted');
    expect(other.received.filter((r) => r.endpoint !== 'unknown')).toHaveLength(0);
  });

  it('a refund goes only to the connection that took the money', async () => {
    const original = await emulatorOn();
    const other = await emulatorOn();
    const dataDir = tempDir();
    const configFile = writeTillConfig({ emulator: original, dataDir });
    const first = await core(configFile, dataDir);
    const op = await first.checkout.pay({ orderId: orderId(), amountKop: 10000, card: card('OK'), paymentType: 'SBP' });
    expect((await first.checkout.waitFinal(op.id, 10_000)).outcome).toBe('paid');
    await first.close();
    cleanup.splice(cleanup.indexOf(first), 1);
    writeTillConfig({ emulator: other, dataDir });
    const second = await core(configFile, dataDir);
    await expect(second.checkout.refund({ paymentOperationId: op.id, amountKop: 1000 })).rejects.toMatchObject({ key: 'refund.other_connection' });
    expect(other.received.filter((r) => r.endpoint === 'refund')).toHaveLength(0);
  });
});
