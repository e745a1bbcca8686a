import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger';

describe('logger', () => {
  it('never writes credentials, tokens or TOTP keys', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-log-')), 'paydesk.log');
    const logger = createLogger({ file, level: 'info' });
    logger.info({ password: 's3cret-pass', koshelek: { password: 's3cret-2', login: 'shop' }, headers: { authorization: 'Basic c2hvcDpzM2NyZXQ=', token: 'tok-123' }, token: 'tok-456', totp: { cards: [{ keyHex: 'deadbeefcafe' }] } }, 'exchange');
    logger.flush();
    await new Promise((r) => setTimeout(r, 200));
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('exchange');
    expect(text).toContain('shop');
    for (const secret of ['s3cret-pass', 's3cret-2', 'c2hvcDpzM2NyZXQ=', 'tok-123', 'tok-456', 'deadbeefcafe']) expect(text).not.toContain(secret);
  });

  it('a process that exits right after opening its log exits cleanly, and the log is owner-only', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-log-')), 'logs', 'paydesk.log');
    // What the kiosk core does on a SIGTERM during its start: exit before the log file's open has completed.
    const script = `import { createLogger } from ${JSON.stringify(path.join(__dirname, 'logger.ts'))};
      const logger = createLogger({ file: ${JSON.stringify(file)} });
      logger.info('started');
      process.exit(0);`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.stderr).not.toMatch(/sonic boom/);
    expect(run.status).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toContain('started');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });
});
