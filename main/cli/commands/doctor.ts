// `paydesk doctor`: config, database integrity, connectivity to the configured Pay API, serial ports.
// Reports every check; never crashes on one; exit 1 when any check failed. A warning is only for
// something that needs a person, and says what to do; what cannot happen on this till (a print
// failure with no printer configured, a database not created yet) is not a warning.
import fs from 'node:fs';
import type { Command } from 'commander';
import Database from 'better-sqlite3';
import { SerialPort } from 'serialport';
import { formatProblems, loadConfigFile } from '../../config/load';
import { configSchema, type PaydeskConfig } from '../../config/schema';
import { findMigrationsDir, readMigrations } from '../../journal/migrate';
import { auditDoctorCheck } from '../../audit/log';
import { outboxDoctorCheck } from '../../outbox/views';
import { firstMissingZHead } from '../../audit/z-heads';
import { resolvePaths } from './report';
import { describePlan, planConnection } from '../../core/connection';
import { configExposed } from '../../core/files';
import { CATALOGUE } from '../../errors/catalogue';

export type CheckStatus = 'ok' | 'warn' | 'fail';
export interface Check { name: string; status: CheckStatus; detail: string }

export async function probeUrl(url: string, timeoutMs: number): Promise<Check> {
  const started = Date.now();
  try {
    const response = await fetch(url, { method: 'GET', signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    await response.body?.cancel();
    return { name: 'Pay API', status: 'ok', detail: `${url} answered HTTP ${response.status} in ${Date.now() - started} ms` };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return { name: 'Pay API', status: 'fail', detail: `${url}: ${error instanceof Error ? error.message : String(error)}${cause}` };
  }
}

export function checkDatabase(file: string, printerEnabled = true): Check[] {
  if (!fs.existsSync(file)) return [{ name: 'database', status: 'ok', detail: `${file} not created yet: the till creates it on first start` }];
  const checks: Check[] = [];
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const integrity = db.prepare('PRAGMA quick_check').all() as { quick_check: string }[];
    const ok = integrity.length === 1 && integrity[0]?.quick_check === 'ok';
    checks.push({ name: 'database integrity', status: ok ? 'ok' : 'fail', detail: ok ? `${file}: quick_check ok` : integrity.map((r) => r.quick_check).slice(0, 5).join('; ') });
    const version = (db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as { v: number }).v;
    const known = readMigrations(findMigrationsDir()).length;
    checks.push({ name: 'database schema', status: version > known ? 'fail' : 'ok', detail: version > known
      ? `version ${version} is newer than this Paydesk (knows ${known}): install the Paydesk version that wrote it, do not start this one on it`
      : `version ${version}, this Paydesk knows ${known}${version < known ? ' (migrated automatically on next start)' : ''}` });
    if (version >= 2) {
      const open = db.prepare('SELECT id, opened_at FROM shifts WHERE closed_at IS NULL').get() as { id: number; opened_at: string } | undefined;
      const unresolved = (db.prepare('SELECT COUNT(*) AS n FROM operations WHERE is_final = 0').get() as { n: number }).n;
      // Files (pdf/csv/txt) and, with a printer configured, receipt-printer prints: a print that failed
      // because no printer was ever configured is not something to fix.
      const failedPrints = (db.prepare(`SELECT COUNT(*) AS n FROM report_outputs WHERE status <> 'done'${printerEnabled ? '' : " AND format <> 'escpos'"}`).get() as { n: number }).n;
      const hours = open ? (Date.now() - Date.parse(open.opened_at)) / 3_600_000 : 0;
      checks.push({ name: 'shift', status: open && hours >= 24 ? 'warn' : 'ok', detail: open
        ? `shift ${open.id} open for ${hours.toFixed(1)} h${hours >= 24 ? ': close it (Z report) on the Shift screen, F11 then F6' : ''}` : 'no open shift' });
      checks.push({ name: 'operations', status: unresolved > 0 ? 'warn' : 'ok', detail: unresolved > 0
        ? `${unresolved} unresolved: start the till (it resolves them with Koshelek on start), then look at the Journal (F3)` : 'none unresolved' });
      checks.push({ name: 'report outputs', status: failedPrints > 0 ? 'warn' : 'ok', detail: failedPrints > 0
        ? `${failedPrints} not completed: reprint or export them again from the Shift screen's history (F11)` : 'all completed' });
    }
    checks.push(auditDoctorCheck(db, firstMissingZHead));
    // Receipts waiting or failed (docs/outbox.md): the manager's queue screen (Alt+Q) shows them one by one.
    const outbox = outboxDoctorCheck(db);
    checks.push(outbox.status === 'ok' ? outbox : { ...outbox, detail: `${outbox.detail}: see the queue screen (Alt+Q); a failed receipt needs the manager's "retry now" after the cause is fixed` });
  } catch (error) {
    checks.push({ name: 'database', status: 'fail', detail: `${file}: ${error instanceof Error ? error.message : String(error)}` });
  } finally {
    db?.close();
  }
  return checks;
}

/** Serial devices straight from /dev (Linux without udevadm, e.g. a container or a minimal install). */
export function listDevSerial(dev = '/dev'): string[] {
  try {
    return fs.readdirSync(dev).filter((n) => /^tty(USB|ACM|S\d)/.test(n)).map((n) => `${dev}/${n}`).sort();
  } catch {
    return [];
  }
}

export async function checkSerial(config: PaydeskConfig): Promise<Check[]> {
  const checks: Check[] = [];
  let listed: string;
  try {
    const ports = await SerialPort.list();
    listed = ports.length === 0 ? 'none found' : ports.map((p) => `${p.path}${p.manufacturer ? ` (${p.manufacturer})` : ''}`).join(', ');
  } catch {
    // serialport lists through udevadm on Linux; without it, /dev says enough (no ENOENT noise).
    const devs = listDevSerial();
    listed = `${devs.length === 0 ? 'none found' : devs.join(', ')} (from /dev)`;
  }
  checks.push({ name: 'serial ports', status: 'ok', detail: listed });
  const scanner = config.scanner.serial;
  if (scanner.enabled) {
    const exists = fs.existsSync(scanner.path) || /^COM\d+$/i.test(scanner.path);
    checks.push({ name: 'serial scanner', status: exists ? 'ok' : 'warn', detail: exists ? scanner.path
      : `${scanner.path} not found: plug the scanner in (or set scanner.serial.path to its /dev/serial/by-id/… path); the keyboard-wedge scanner still works` });
  }
  if (config.printer.enabled) {
    const exists = config.printer.path !== '' && (fs.existsSync(config.printer.path) || /^\\\\/.test(config.printer.path) || /^COM\d+$/i.test(config.printer.path));
    checks.push({ name: 'printer', status: exists ? 'ok' : 'fail', detail: `${config.printer.transport} '${config.printer.path}'${exists ? '' : ' not found: connect the printer or fix printer.path (reports still export to PDF)'}` });
  } else checks.push({ name: 'printer', status: 'ok', detail: 'disabled' });
  return checks;
}

export async function runDoctor(globals: { data?: string; config?: string }, timeoutMs = 3000): Promise<Check[]> {
  const paths = resolvePaths(globals);
  const checks: Check[] = [];
  let config: PaydeskConfig = configSchema.parse({});
  if (!fs.existsSync(paths.configFile)) checks.push({ name: 'config', status: 'warn', detail: `${paths.configFile} not found: defaults apply (emulator (demo, no real money)). Start the till once to write it, fill in till and koshelek, then run: paydesk config check` });
  else {
    const result = loadConfigFile(paths.configFile);
    if (result.ok) {
      config = result.config;
      checks.push({ name: 'config', status: 'ok', detail: paths.configFile });
    } else checks.push({ name: 'config', status: 'fail', detail: `${formatProblems(result.problems)}\n  fix the file, then: paydesk config check` });
  }
  checks.push(...checkDatabase(paths.journalFile, config.printer.enabled));
  // Sign-in off is the default so an updated till keeps selling; outside the demo environment say so.
  const demo = config.koshelek.environment === 'emulator';
  checks.push(config.access.signIn
    ? { name: 'sign-in', status: 'ok', detail: `on; auto-lock after ${config.access.autoLock.idleSec} s idle` }
    : { name: 'sign-in', status: demo ? 'ok' : 'warn', detail: demo ? 'off (emulator environment)' : 'off: anyone at the till can refund and close the shift; enrol people (paydesk people add), then set access.signIn to true (docs/people-and-audit.md)' });
  // The core's own rules decide (never "no credentials → emulator": a test/production till blocks sales).
  const plan = planConnection(config, process.env, { configExposed: fs.existsSync(paths.configFile) && configExposed(paths.configFile) });
  const described = describePlan(plan, (key) => CATALOGUE[key].en);
  if (plan.kind === 'blocked') checks.push({ name: 'Pay API', status: 'fail', detail: described.line });
  else if (plan.kind === 'embedded_emulator') checks.push({ name: 'Pay API', status: 'ok', detail: `${described.line}: nothing to reach` });
  else {
    const probed = await probeUrl(plan.baseUrl, timeoutMs);
    checks.push({ ...probed, detail: `${described.line}: ${probed.detail}` });
  }
  checks.push(...(await checkSerial(config)));
  return checks;
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check config, database integrity, Pay API connectivity and serial ports')
    .option('--timeout <ms>', 'connectivity timeout', '3000')
    .option('--json', 'machine-readable output')
    .action(async (options: { timeout: string; json?: boolean }, command: Command) => {
      const checks = await runDoctor(command.optsWithGlobals(), Number(options.timeout));
      if (options.json) console.log(JSON.stringify(checks, null, 2));
      else for (const c of checks) console.log(`${c.status === 'ok' ? 'OK  ' : c.status === 'warn' ? 'WARN' : 'FAIL'} ${c.name}: ${c.detail}`);
      if (checks.some((c) => c.status === 'fail')) process.exitCode = 1;
    });
}
