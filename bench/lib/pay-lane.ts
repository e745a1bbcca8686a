// A payment lane for benchmarks: the Koshelek emulator in its own process (as Koshelek would be;
// process.hrtime is CLOCK_MONOTONIC, so its arrival stamps compare with ours) and a real core whose
// config points at it over kept-alive loopback TLS. pay() → checkout bytes at the emulator, one press
// at a time, as one cashier at one till.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCore, type StartedCore } from '../../main/core/core';
import { configSchema } from '../../main/config/schema';
import { silentLogger } from '../../main/log/logger';
import { card, tempDir } from '../../test/support/till';
import { walPendingFrames } from '../../main/journal/checkpoint';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface EmulatorProcess {
  baseUrl: string;
  caFile: string;
  child: ChildProcess;
  /**
   * The emulator's arrival stamp (process.hrtime ns) of the request with this requestId, as the emulator
   * prints it (--print-arrivals): the bench sleeps until the line comes instead of polling the emulator's
   * request log, which ran a busy loop of HTTPS requests in the core's process during every press it timed.
   */
  arrival(requestId: string, timeoutMs?: number): Promise<bigint>;
}

export async function startEmulatorProcess(): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, '..', '..', 'emulators', 'koshelek', 'cli.ts'), '--port', '0', '--tls', '--confirm-ms', '0', '--print-arrivals'], { stdio: ['ignore', 'pipe', 'inherit'] });
  // A benchmark that throws must not leave its emulator running (it holds the output pipe open).
  process.once('exit', () => child.kill('SIGTERM'));
  const arrived = new Map<string, bigint>();
  const waiting = new Map<string, (ns: bigint) => void>();
  const arrival = (requestId: string, timeoutMs = 10_000): Promise<bigint> => {
    const ns = arrived.get(requestId);
    if (ns !== undefined) {
      arrived.delete(requestId);
      return Promise.resolve(ns);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(requestId);
        reject(new Error(`no request ${requestId} at the emulator in ${timeoutMs} ms`));
      }, timeoutMs);
      waiting.set(requestId, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  };
  const onArrival = (line: string): void => {
    const a = JSON.parse(line) as Arrival;
    if (a.requestId === undefined) return;
    const at = BigInt(a.arrivalNs);
    const resolve = waiting.get(a.requestId);
    if (resolve) {
      waiting.delete(a.requestId);
      resolve(at);
    } else if (a.endpoint === 'checkout' || a.requestId.startsWith('floor-')) arrived.set(a.requestId, at);
  };
  return new Promise((resolve, reject) => {
    let out = '';
    let started = false;
    // Keep draining stdout for the child's whole life (a closed pipe would kill it with EPIPE).
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!started) {
        const base = /base URL\s*:\s*(\S+)/.exec(out);
        const ca = /CA \(PEM\)\s*:\s*(\S+)/.exec(out);
        if (!base || !ca) return;
        started = true;
        resolve({ baseUrl: base[1] as string, caFile: ca[1] as string, child, arrival });
      }
      let nl = out.indexOf('\n');
      while (nl >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (line.startsWith('ARRIVAL ')) onArrival(line.slice(8));
        nl = out.indexOf('\n');
      }
    });
    child.on('exit', () => reject(new Error('emulator did not start')));
  });
}

export interface Arrival { endpoint: string; requestId?: string; arrivalNs: string; seq: number }

export interface PayLane {
  core: StartedCore;
  emulator: EmulatorProcess;
  /** Presses Pay `n` times; per press, ms from pay() to the checkout's arrival at the emulator and to the intent's commit. */
  pay(n: number, gapMs?: number): Promise<{ wire: number[]; commit: number[]; pages: number[] }>;
  /** Asks the emulator for its requests after `since`. */
  arrivals(since: number): Promise<Arrival[]>;
  close(): Promise<void>;
}

/**
 * `oneSaleAtATime`: each press waits until the previous sale is final (the status poll comes 250 ms after the
 * checkout, the shortest the config allows, instead of 500 ms), as one cashier works; by default presses overlap (~100 sales in flight, their
 * status polls and final writes interleaving with the next presses).
 */
export async function startPayLane(options: { keepAlive?: boolean; emulator?: EmulatorProcess; oneSaleAtATime?: boolean } = {}): Promise<PayLane> {
  const keepAlive = options.keepAlive ?? true;
  const emulator = options.emulator ?? (await startEmulatorProcess());
  const control = new https.Agent({ ca: fs.readFileSync(emulator.caFile), keepAlive: true });
  const arrivals = (since: number) => new Promise<Arrival[]>((resolve, reject) => {
    https.get(`${emulator.baseUrl.replace(/\/partner$/, '')}/__emulator/requests?since=${since}`, { agent: control }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve(JSON.parse(body) as Arrival[]));
    }).on('error', reject);
  });
  const dataDir = tempDir('paydesk-bench-');
  const configFile = path.join(dataDir, 'paydesk.config.json');
  fs.writeFileSync(configFile, JSON.stringify(configSchema.parse({
    till: { terminalId: 'POS-BENCH', storeId: 'store-bench' },
    koshelek: { login: 'emulator', password: 'emulator', environment: 'emulator', baseUrls: { emulator: emulator.baseUrl }, caFile: emulator.caFile, timing: { firstPollMs: options.oneSaleAtATime ? 250 : 500, pollIntervalMs: options.oneSaleAtATime ? 250 : 10_000, keepAliveRefreshMs: keepAlive ? 3_000 : 0 } },
  })));
  // The shells' setting (main/core/loop-priority.ts); the floor, measured in this same process, has it too.
  const core = await startCore({ configFile, dataDir, logger: silentLogger(), watchConfig: false, keepAlive, loopPriority: true });
  await core.warm;
  let serial = 0;
  return {
    core,
    emulator,
    async pay(n, gapMs = 2) {
      const wire: number[] = [];
      const commit: number[] = [];
      const pages: number[] = [];
      for (let i = 0; i < n; i += 1) {
        serial += 1;
        const c = card('OK');
        const framesBefore = walPendingFrames(core.journal.file);
        const t0 = process.hrtime.bigint();
        const op = core.checkout.payNow({ orderId: `B-${process.pid}-${serial}`, amountKop: 15000, card: c, paymentType: 'SBP' });
        commit.push(Number(process.hrtime.bigint() - t0) / 1e6);
        // WAL frames the intent's commit appended (the checkpointer cannot run inside this synchronous call).
        const framesAfter = walPendingFrames(core.journal.file);
        if (framesBefore >= 0 && framesAfter >= framesBefore) pages.push(framesAfter - framesBefore);
        const arrived = await emulator.arrival(op.requestId);
        wire.push(Number(arrived - t0) / 1e6);
        if (options.oneSaleAtATime) {
          await core.checkout.waitFinal(op.id, 10_000);
          await new Promise((r) => setTimeout(r, gapMs));
        } else if (serial % 100 === 0) {
          while (core.checkout.inFlight() > 0) await new Promise((r) => setTimeout(r, 20));
        } else await new Promise((r) => setTimeout(r, gapMs));
      }
      return { wire, commit, pages };
    },
    arrivals,
    async close() {
      await core.close();
      control.destroy();
      if (!options.emulator) emulator.child.kill('SIGTERM');
    },
  };
}
