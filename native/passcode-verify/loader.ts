// Loads the vendor Passcode Verify adapter (see contract.ts) and presents it as a TotpVerifier.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import type { ParsedScan, ScanRejectReason } from '../../main/contract/scan';
import { REJECT_ERROR_KEY } from '../../main/barcode/parse';
import { toScannedCard } from '../../main/barcode/card';
import { PaydeskError } from '../../main/errors/catalogue';
import type { TotpVerifier } from '../../main/totp/verifier';
import { sidecarResponseSchema, vendorVerifyResultSchema, type VendorInitParams, type VendorPasscodeLibrary, type VendorVerifyResult } from './contract';

export interface VendorLoadOptions {
  /** totp.vendorLibraryPath */
  path: string;
  /** totp.vendorArgs (sidecar only) */
  args?: readonly string[];
  /** totp.vendorInit, passed to init() */
  init?: VendorInitParams;
  /** Per-call timeout for the sidecar, ms. */
  timeoutMs?: number;
  /** For messages only. */
  separator?: string;
  cards?: readonly string[];
}

const unavailable = (detail: string): PaydeskError => new PaydeskError('totp.vendor_unavailable', detail);

function isLibrary(value: unknown): value is VendorPasscodeLibrary {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.init === 'function' && typeof v.barcodeVerify === 'function' && typeof v.getToken === 'function';
}

async function fromModule(exports: unknown, where: string): Promise<VendorPasscodeLibrary> {
  const candidates: unknown[] = [exports];
  if (typeof exports === 'object' && exports !== null) {
    const mod = exports as Record<string, unknown>;
    candidates.push(mod.default);
    for (const factory of [mod.createPasscodeVerify, (mod.default as Record<string, unknown> | undefined)?.createPasscodeVerify]) {
      if (typeof factory === 'function') candidates.unshift(await (factory as () => unknown)());
    }
  }
  const library = candidates.find(isLibrary);
  if (!library) throw unavailable(`${where} does not export init, barcodeVerify and getToken (see native/passcode-verify/contract.ts)`);
  return library;
}

/** Sidecar: one child process, line-delimited JSON, one request at a time in order. */
class SidecarLibrary implements VendorPasscodeLibrary {
  private child: ChildProcessWithoutNullStreams | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private stderr = '';
  /** Remembered so a restarted sidecar (after a crash) is initialised again before its first call. */
  private initParams: VendorInitParams | null = null;
  private needsInit = false;

  constructor(private readonly command: string, private readonly args: readonly string[], private readonly timeoutMs: number) {}

  private ensure(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const child = spawn(this.command, [...this.args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    this.needsInit = this.initParams !== null;
    child.stderr.on('data', (d: Buffer) => { this.stderr = (this.stderr + d.toString('utf8')).slice(-2_000); });
    createInterface({ input: child.stdout }).on('line', (line) => {
      let message: unknown;
      try { message = JSON.parse(line); } catch { return; }
      const parsed = sidecarResponseSchema.safeParse(message);
      if (!parsed.success) return;
      const waiter = this.pending.get(parsed.data.id);
      if (!waiter) return;
      this.pending.delete(parsed.data.id);
      clearTimeout(waiter.timer);
      if (parsed.data.ok) waiter.resolve(parsed.data.result);
      else waiter.reject(new Error(parsed.data.error));
    });
    const fail = (why: string): void => {
      if (this.child === child) this.child = null;
      for (const [id, waiter] of this.pending) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error(`${why}${this.stderr ? `: ${this.stderr.trim()}` : ''}`));
        this.pending.delete(id);
      }
    };
    child.on('error', (error) => fail(`sidecar ${this.command} failed: ${error.message}`));
    child.on('exit', (code, signal) => fail(`sidecar exited (${signal ?? code})`));
    child.stdin.on('error', () => {});
    return child;
  }

  private async call(op: string, extra: Record<string, unknown>): Promise<unknown> {
    const child = this.ensure();
    if (this.needsInit && op !== 'init' && this.initParams) {
      this.needsInit = false;
      await this.send(child, 'init', { params: this.initParams });
    }
    return this.send(child, op, extra);
  }

  private send(child: ChildProcessWithoutNullStreams, op: string, extra: Record<string, unknown>): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`sidecar did not answer ${op} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      child.stdin.write(`${JSON.stringify({ id, op, ...extra })}\n`);
    });
  }

  async init(params: VendorInitParams): Promise<void> {
    await this.call('init', { params });
    this.initParams = params;
  }

  async barcodeVerify(fullBarcode: string): Promise<VendorVerifyResult | string> {
    const result = await this.call('barcodeVerify', { fullBarcode });
    return typeof result === 'string' ? result : vendorVerifyResultSchema.parse(result);
  }

  async getToken(): Promise<string> {
    const result = await this.call('getToken', {});
    if (typeof result !== 'string') throw new Error('getToken answered a non-string');
    return result;
  }

  async close(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.stdin.end();
      setTimeout(() => { child.kill('SIGTERM'); }, 500).unref();
    });
  }
}

/** Opens the adapter named by `path` (without calling init). Throws PaydeskError('totp.vendor_unavailable'). */
export async function openVendorLibrary(options: VendorLoadOptions): Promise<VendorPasscodeLibrary> {
  const file = path.resolve(options.path);
  if (!fs.existsSync(file)) throw unavailable(`totp.vendorLibraryPath ${options.path} does not exist`);
  const ext = path.extname(file).toLowerCase();
  if (['.dll', '.so', '.dylib', '.aar', '.jar'].includes(ext)) {
    throw unavailable(`${path.basename(file)} cannot be loaded directly: point totp.vendorLibraryPath at its adapter (N-API addon .node, JS module, or a sidecar host such as java with vendorArgs ['-jar', …]); see docs/scanning.md`);
  }
  try {
    if (ext === '.js' || ext === '.mjs' || ext === '.cjs') return await fromModule(await import(pathToFileURL(file).href), file);
    if (ext === '.node') return await fromModule(createRequire(import.meta.url)(file), file);
  } catch (error) {
    if (error instanceof PaydeskError) throw error;
    throw unavailable(`loading ${file} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    throw unavailable(`${file} is neither a JS module, an N-API addon nor an executable sidecar`);
  }
  return new SidecarLibrary(file, options.args ?? [], options.timeoutMs ?? 2_000);
}

const reason = (r: ScanRejectReason, detail: string): ParsedScan => ({ ok: false, reason: r, errorKey: REJECT_ERROR_KEY[r], detail });

/** Maps one vendor answer onto the scan contract. */
export function mapVendorResult(answer: unknown): ParsedScan {
  let value = answer;
  if (typeof value === 'string') {
    try { value = JSON.parse(value); } catch { return reason('verifier_error', 'barcodeVerify returned text that is not JSON'); }
  }
  const parsed = vendorVerifyResultSchema.safeParse(value);
  if (!parsed.success) return reason('verifier_error', `barcodeVerify answer does not match the contract: ${parsed.error.issues[0]?.message ?? ''}`);
  const r = parsed.data;
  const note = `resultCode ${r.resultCode}${r.message ? `: ${r.message}` : ''}`;
  switch (r.resultCode) {
    case 'PREFIX_UNKNOWN': return reason('wrong_prefix', note);
    case 'BARCODE_INVALID': return reason('bad_length', note);
    case 'TOTP_EXPIRED': return reason('totp_stale', note);
    case 'TOTP_INVALID': return reason('totp_invalid', note);
    default: break;
  }
  if (!r.totpCodeValid) return reason('totp_invalid', note);
  if (!r.cardNumber || !r.prefix) return reason('verifier_error', `${note}; no cardNumber/prefix in the answer`);
  return toScannedCard(
    { prefix: r.prefix, loyaltyId: r.cardNumber, cardSession: r.cardSession, ...(r.totp ? { totp: r.totp } : {}) },
    { verified: true, sessionUsable: r.resultCode === 'CARDSESSION_AVAILABLE' },
  );
}

/** TotpVerifier over an opened adapter; calls are serialised (the library is not assumed thread-safe). */
export class VendorTotpVerifier implements TotpVerifier {
  readonly kind = 'vendor' as const;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly library: VendorPasscodeLibrary) {}

  private serial<T>(run: () => T | Promise<T>): Promise<T> {
    const next = this.chain.then(run, run);
    this.chain = next.catch(() => undefined);
    return next;
  }

  async verifyBarcode(fullBarcode: string): Promise<ParsedScan> {
    try {
      return mapVendorResult(await this.serial(() => this.library.barcodeVerify(fullBarcode)));
    } catch (error) {
      return reason('verifier_error', `barcodeVerify failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  getToken(): Promise<string> {
    return this.serial(() => this.library.getToken());
  }

  async close(): Promise<void> {
    await this.serial(() => this.library.close?.());
  }
}

/** Opens the adapter, runs init(params) and wraps it. Throws PaydeskError('totp.vendor_unavailable'). */
export async function loadVendorVerifier(options: VendorLoadOptions): Promise<VendorTotpVerifier> {
  const library = await openVendorLibrary(options);
  try {
    const code = await library.init(options.init ?? {});
    if (typeof code === 'number' && code !== 0) throw new Error(`init returned ${code}`);
  } catch (error) {
    await Promise.resolve(library.close?.()).catch(() => undefined);
    throw unavailable(`init() failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return new VendorTotpVerifier(library);
}
