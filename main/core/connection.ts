// Which Pay API connection a config asks for — or why sales must stay blocked. Pure rules (docs/safety.md):
//  - an emulator is used only when `koshelek.environment` is "emulator", never as a fallback;
//  - test/production without a login or password, or with the public default TOTP key, is blocked;
//  - every connection has an identity (environment + base URL + login, hashed) that operations record,
//    so recovery can resume an operation only on the connection it was started on.
import { createHash } from 'node:crypto';
import type { PaydeskConfig } from '../config/schema';
import type { ErrorKey } from '../errors/catalogue';
import { DEFAULT_TEST_CARD } from '../totp/config';
import type { EnvironmentMode } from './types';

export type ConnectionPlan =
  | { kind: 'embedded_emulator'; mode: 'emulator'; identity: string }
  | { kind: 'remote'; mode: EnvironmentMode; baseUrl: string; login: string; password: string; identity: string }
  | { kind: 'blocked'; mode: EnvironmentMode; baseUrl: string; reason: ErrorKey; details: string };

/** The embedded emulator's URL changes with its port at every start; its identity must not. */
export const EMBEDDED_EMULATOR_URL = 'embedded:';

export function connectionIdentity(mode: EnvironmentMode, baseUrl: string, login: string): string {
  return createHash('sha256').update(JSON.stringify([mode, baseUrl.replace(/\/+$/, ''), login])).digest('hex').slice(0, 32);
}

/**
 * The Pay API password: the config's, or — so it need not sit in the JSON file — the one the Electron shell
 * decrypts from its safeStorage vault (or a service manager sets) into PAYDESK_KOSHELEK_PASSWORD.
 */
export function koshelekPassword(config: PaydeskConfig, env: NodeJS.ProcessEnv = process.env): string {
  return config.koshelek.password !== '' ? config.koshelek.password : env.PAYDESK_KOSHELEK_PASSWORD ?? '';
}

/** A TOTP key published in our own sources (the emulator's test cards) protects nothing outside the emulator. */
export function usesPublicTotpKey(config: PaydeskConfig): boolean {
  return config.totp.cards.some((c) => c.keyHex !== undefined && c.keyHex.toLowerCase() === DEFAULT_TEST_CARD.keyHex);
}

export interface PlanFacts {
  /** The config file is readable by group/others (it may hold the password): refused in production. */
  configExposed?: boolean;
}

export function planConnection(config: PaydeskConfig, env: NodeJS.ProcessEnv = process.env, facts: PlanFacts = {}): ConnectionPlan {
  const k = config.koshelek;
  if (k.environment === 'emulator') {
    const external = k.baseUrls.emulator;
    if (!external) return { kind: 'embedded_emulator', mode: 'emulator', identity: connectionIdentity('emulator', EMBEDDED_EMULATOR_URL, 'emulator') };
    const login = k.login !== '' ? k.login : 'emulator';
    const password = koshelekPassword(config, env) || 'emulator';
    return { kind: 'remote', mode: 'emulator', baseUrl: external, login, password, identity: connectionIdentity('emulator', external, login) };
  }
  const baseUrl = k.environment === 'production' ? k.baseUrls.production : k.baseUrls.test;
  const password = koshelekPassword(config, env);
  if (k.login === '' || password === '') {
    return { kind: 'blocked', mode: k.environment, baseUrl, reason: 'config.credentials_missing', details: k.login === '' ? 'koshelek.login is empty' : 'koshelek.password is empty and PAYDESK_KOSHELEK_PASSWORD is not set' };
  }
  if (k.environment === 'production' && facts.configExposed) {
    return { kind: 'blocked', mode: k.environment, baseUrl, reason: 'config.insecure_permissions', details: 'the config file is readable by group/others (chmod 600)' };
  }
  if (usesPublicTotpKey(config)) {
    return { kind: 'blocked', mode: k.environment, baseUrl, reason: 'config.public_totp_key', details: 'totp.cards[].keyHex is the public emulator test key' };
  }
  return { kind: 'remote', mode: k.environment, baseUrl, login: k.login, password, identity: connectionIdentity(k.environment, baseUrl, k.login) };
}

/**
 * One line for IT tools (doctor, config check) saying what this config does with money — the same rules the
 * core applies, so a CLI never promises an emulator where the till would block sales (docs/safety.md).
 */
export function describePlan(plan: ConnectionPlan, it: (key: ErrorKey) => string): { sales: 'demo' | 'real' | 'blocked'; line: string } {
  if (plan.kind === 'embedded_emulator') return { sales: 'demo', line: 'emulator (demo, no real money): embedded emulator' };
  if (plan.mode === 'emulator') return { sales: 'demo', line: `emulator (demo, no real money) → ${plan.baseUrl}` };
  if (plan.kind === 'remote') return { sales: 'real', line: `${plan.mode} → ${plan.baseUrl} (real payments)` };
  return { sales: 'blocked', line: `sales blocked: ${plan.mode} without a usable connection (${plan.details}). ${it(plan.reason)}` };
}
