// `paydesk config check` and `paydesk doctor` tell the fail-closed truth about the Pay API connection: the
// emulator only when the config says "emulator", and a test/production config without credentials blocks
// sales (what IT must do) instead of promising an "embedded emulator". Run as a real CLI process.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { runDoctor } from './doctor';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../../..');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function dataWith(config: unknown): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-cfgcheck-'));
  dirs.push(d);
  fs.writeFileSync(path.join(d, 'paydesk.config.json'), JSON.stringify(config), { mode: 0o600 });
  return d;
}

async function paydesk(data: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.PAYDESK_KOSHELEK_PASSWORD;
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', path.join(root, 'main/cli/index.ts'), '--data', data, ...args], { cwd: root, env, encoding: 'utf8', timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('config check / doctor: the connection as the core would run it', () => {
  it('environment emulator → "emulator (demo, no real money)"', async () => {
    const data = dataWith({ koshelek: { environment: 'emulator' } });
    const checked = await paydesk(data, 'config', 'check');
    expect(checked.code).toBe(0);
    expect(checked.stdout).toContain('emulator (demo, no real money)');
    expect(checked.stdout).not.toContain('no credentials (embedded emulator)');
    const doctor = (await runDoctor({ data }, 300)).find((c) => c.name === 'Pay API');
    expect(doctor?.status).toBe('ok');
    expect(doctor?.detail).toContain('emulator (demo, no real money)');
  }, 60_000);

  it('production without a password → "sales blocked" with what IT must do, exit 1; never an emulator', async () => {
    const data = dataWith({ koshelek: { environment: 'production', login: 'shop-7', password: '' } });
    const checked = await paydesk(data, 'config', 'check');
    expect(checked.code).toBe(1);
    expect(checked.stdout).toContain('sales blocked: production');
    expect(checked.stdout).toContain('koshelek.password');
    expect(checked.stdout).toContain('SALES BLOCKED');
    expect(checked.stdout).not.toMatch(/embedded emulator|demo/);
    const doctor = await paydesk(data, 'doctor', '--json', '--timeout', '300');
    expect(doctor.code).toBe(1);
    const pay = (JSON.parse(doctor.stdout) as { name: string; status: string; detail: string }[]).find((c) => c.name === 'Pay API');
    expect(pay?.status).toBe('fail');
    expect(pay?.detail).toMatch(/^sales blocked: production/);
    expect(pay?.detail).toContain('IT: set koshelek.login and koshelek.password');
    expect(pay?.detail).not.toMatch(/embedded emulator|demo/);
  }, 60_000);

  it('test environment without a login → sales blocked in doctor too', async () => {
    const data = dataWith({ koshelek: { environment: 'test' } });
    const pay = (await runDoctor({ data }, 300)).find((c) => c.name === 'Pay API');
    expect(pay?.status).toBe('fail');
    expect(pay?.detail).toContain('sales blocked: test');
    expect(pay?.detail).toContain('koshelek.login is empty');
  });
});
