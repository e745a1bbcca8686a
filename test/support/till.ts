// Test harness: a real emulator on loopback and a real core (SQLite file in a temp folder) whose
// config points at it with credentials, exactly as IT would configure a till.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCore, type StartedCore } from '../../main/core/core';
import { configSchema, type PaydeskConfigInput } from '../../main/config/schema';
import { silentLogger } from '../../main/log/logger';
import { DEFAULT_TEST_CARD } from '../../main/totp/config';
import { startKoshelekEmulator, testCardBarcode, type EmulatorOptions, type KoshelekEmulator } from '../../emulators/koshelek';

export function tempDir(prefix = 'paydesk-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface TillConfigOptions {
  emulator: KoshelekEmulator;
  dataDir: string;
  timing?: Record<string, number>;
  koshelek?: Record<string, unknown>;
  extra?: Partial<PaydeskConfigInput>;
  /**
   * 'test' (default): a test-environment till with its own TOTP key, as IT configures one. 'emulator': the
   * emulator environment pointed at this emulator, with the public TOTP key its test cards carry (scanning).
   */
  mode?: 'test' | 'emulator';
}

/** The TOTP key of the tills in these tests: any key but the public one the emulator's test cards use. */
export const TILL_TOTP_KEY_HEX = '5061796465736b496e746567726174696f6e4b6579';

/** Writes a config that points the till at the emulator with credentials (not the embedded mode). */
export function writeTillConfig(o: TillConfigOptions): string {
  const file = path.join(o.dataDir, 'paydesk.config.json');
  let caFile: string | undefined;
  if (o.emulator.ca) {
    caFile = path.join(o.dataDir, 'emulator-ca.pem');
    fs.writeFileSync(caFile, o.emulator.ca);
  }
  const emulatorMode = o.mode === 'emulator';
  const input: PaydeskConfigInput = {
    // A test/production till refuses the public emulator TOTP key (docs/safety.md): IT sets its own.
    ...(emulatorMode ? {} : { totp: { cards: [{ ...DEFAULT_TEST_CARD, keyHex: TILL_TOTP_KEY_HEX }] } }),
    // A Koshelek-only shop unless a test names more providers.
    providers: ['koshelek'],
    ...o.extra,
    till: { terminalId: 'POS-T1', storeId: 'store-test' },
    koshelek: {
      login: 'emulator',
      password: 'emulator',
      environment: emulatorMode ? 'emulator' : 'test',
      baseUrls: { test: o.emulator.baseUrl, production: 'https://api.koshelek.app/partner', ...(emulatorMode ? { emulator: o.emulator.baseUrl } : {}) },
      ...(caFile ? { caFile } : {}),
      timing: { retryDelayMs: 20, backgroundRetryMs: 500, keepAliveRefreshMs: 0, requestTimeoutMs: 2_000, statusTimeoutMs: 1_000, ...o.timing },
      ...o.koshelek,
    },
  };
  const config = configSchema.parse(input);
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

export interface Till {
  core: StartedCore;
  emulator: KoshelekEmulator;
  dataDir: string;
  configFile: string;
  close(): Promise<void>;
}

export async function startTill(options: { emulator?: EmulatorOptions; timing?: Record<string, number>; koshelek?: Record<string, unknown>; extra?: Partial<PaydeskConfigInput>; mode?: 'test' | 'emulator' } = {}): Promise<Till> {
  const emulator = await startKoshelekEmulator({ confirmDelayMs: 150, ...options.emulator });
  const dataDir = tempDir();
  const configFile = writeTillConfig({ emulator, dataDir, timing: options.timing, koshelek: options.koshelek, extra: options.extra, mode: options.mode });
  const core = await startCore({ configFile, dataDir, logger: silentLogger() });
  return {
    core, emulator, dataDir, configFile,
    async close() {
      await core.close();
      await emulator.close();
    },
  };
}

// Card sessions unique within a process (4 random characters collide within ~1,000 cards).
let sessionSeq = Math.floor(Math.random() * 36 ** 4);

/**
 * A fresh test card: loyaltyId and the pay token as the scanner would split them (`cardSession` is the same
 * token under Koshelek's wire name, for matching what the emulator received).
 */
export function card(scenario = 'OK'): { loyaltyId: string; payToken: string; cardSession: string; barcode: string } {
  const barcode = testCardBarcode(scenario);
  sessionSeq = (sessionSeq + 1) % 36 ** 4;
  const cardSession = `${scenario.slice(0, 2)}${sessionSeq.toString(36).toUpperCase().padStart(4, '0')}`;
  return { loyaltyId: barcode.slice(2, 15), payToken: cardSession, cardSession, barcode: `${barcode.slice(0, 15)}${cardSession}${barcode.slice(21)}` };
}

let orderSeq = 0;
export function orderId(): string {
  orderSeq += 1;
  return `T-${process.pid}-${Date.now().toString(36)}-${orderSeq}`;
}

/** A provider id on an operation's slip (its labelled refs), or null. */
export function slipRef(op: { slip: { refs: { key: string; value: string }[] } | null }, key: string): string | null {
  return op.slip?.refs.find((r) => r.key === key)?.value ?? null;
}
