// `paydesk doctor`: config, database integrity, connectivity to the configured Pay API, serial ports.
// Reports every check; never crashes on one; exit 1 when any check failed.
import fs from 'node:fs';
import type { Command } from 'commander';
import Database from 'better-sqlite3';
import { SerialPort } from 'serialport';
import { formatProblems, loadConfigFile } from '../../config/load';
import { configSchema, type PaydeskConfig } from '../../config/schema';
import { findMigrationsDir, readMigrations } from '../../journal/migrate';
import { auditDoctorCheck } from '../../audit/log';
import { resolvePaths } from './report';

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

export function checkDatabase(file: string): Check[] {
  if (!fs.existsSync(file)) return [{ name: 'database', status: 'warn', detail: `${file} does not exist yet (created on first start)` }];
  const checks: Check[] = [];
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const integrity = db.prepare('PRAGMA quick_check').all() as { quick_check: string }[];
    const ok = integrity.length === 1 && integrity[0]?.quick_check === 'ok';
    checks.push({ name: 'database integrity', status: ok ? 'ok' : 'fail', detail: ok ? `${file}: quick_check ok` : integrity.map((r) => r.quick_check).slice(0, 5).join('; ') });
    const version = (db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as { v: number }).v;
    const known = readMigrations(findMigrationsDir()).length;
    checks.push({ name: 'database schema', status: version === known ? 'ok' : version > known ? 'fail' : 'warn', detail: `version ${version}, this Paydesk knows ${known}${version < known ? ' (migrated on next start)' : ''}` });
    if (version >= 2) {
      const open = db.prepare('SELECT id, opened_at FROM shifts WHERE closed_at IS NULL').get() as { id: number; opened_at: string } | undefined;
      const unresolved = (db.prepare('SELECT COUNT(*) AS n FROM operations WHERE is_final = 0').get() as { n: number }).n;
      const failedPrints = (db.prepare("SELECT COUNT(*) AS n FROM report_outputs WHERE status <> 'done'").get() as { n: number }).n;
      const hours = open ? (Date.now() - Date.parse(open.opened_at)) / 3_600_000 : 0;
      checks.push({ name: 'shift', status: open && hours >= 24 ? 'warn' : 'ok', detail: open ? `shift ${open.id} open for ${hours.toFixed(1)} h` : 'no open shift' });
      checks.push({ name: 'operations', status: unresolved > 0 ? 'warn' : 'ok', detail: `${unresolved} unresolved` });
      checks.push({ name: 'report outputs', status: failedPrints > 0 ? 'warn' : 'ok', detail: `${failedPrints} not completed (reprint from history)` });
    }
    checks.push(auditDoctorCheck(db));
  } catch (error) {
    checks.push({ name: 'database', status: 'fail', detail: `${file}: ${error instanceof Error ? error.message : String(error)}` });
  } finally {
    db?.close();
  }
  return checks;
}

export async function checkSerial(config: PaydeskConfig): Promise<Check[]> {
  const checks: Check[] = [];
  try {
    const ports = await SerialPort.list();
    checks.push({ name: 'serial ports', status: 'ok', detail: ports.length === 0 ? 'none found' : ports.map((p) => `${p.path}${p.manufacturer ? ` (${p.manufacturer})` : ''}`).join(', ') });
  } catch (error) {
    checks.push({ name: 'serial ports', status: 'warn', detail: `cannot list: ${error instanceof Error ? error.message : String(error)}` });
  }
  if (config.printer.enabled) {
    const exists = config.printer.path !== '' && (fs.existsSync(config.printer.path) || /^\\\\/.test(config.printer.path) || /^COM\d+$/i.test(config.printer.path));
    checks.push({ name: 'printer', status: exists ? 'ok' : 'fail', detail: `${config.printer.transport} '${config.printer.path}'${exists ? '' : ' not found'}` });
  } else checks.push({ name: 'printer', status: 'ok', detail: 'disabled' });
  return checks;
}

export async function runDoctor(globals: { data?: string; config?: string }, timeoutMs = 3000): Promise<Check[]> {
  const paths = resolvePaths(globals);
  const checks: Check[] = [];
  let config: PaydeskConfig = configSchema.parse({});
  if (!fs.existsSync(paths.configFile)) checks.push({ name: 'config', status: 'warn', detail: `${paths.configFile} not found: defaults apply` });
  else {
    const result = loadConfigFile(paths.configFile);
    if (result.ok) {
      config = result.config;
      checks.push({ name: 'config', status: 'ok', detail: paths.configFile });
    } else checks.push({ name: 'config', status: 'fail', detail: formatProblems(result.problems) });
  }
  checks.push(...checkDatabase(paths.journalFile));
  const k = config.koshelek;
  if (k.login === '' || k.password === '' || k.environment === 'emulator') checks.push({ name: 'Pay API', status: 'ok', detail: 'embedded emulator (no credentials): nothing to reach' });
  else checks.push(await probeUrl(k.baseUrls[k.environment], timeoutMs));
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
