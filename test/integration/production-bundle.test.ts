// Emulator code never enters a production bundle, and a production build in environment "emulator"
// sells nothing: the guard is checked on the real entry points, and it can fail (the dev build has them).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it, vi } from 'vitest';
import { emulatorFreePlugin, emulatorInputs } from '../../scripts/emulator-free.mjs';
import { startCore } from '../../main/core/core';
import { silentLogger } from '../../main/log/logger';
import { orderId, tempDir } from '../support/till';

// What the production build swaps in (scripts/emulator-free.mjs): the lazy door and the module behind it.
vi.mock('../../main/core/emulators-door', () => import('../../main/core/emulators-door.production'));
vi.mock('../../main/core/emulators', () => ({ EMULATORS: null }));

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The kiosk core's bundle (kiosk-core-shell.cjs) and the Electron core host's.
const ENTRIES = ['main/shell/kiosk/shell.ts', 'main/shell/core-host.ts'];
const external = ['electron', 'better-sqlite3', 'serialport', '@serialport/*', 'bufferutil', 'utf-8-validate', 'pino', 'pino-pretty', 'thread-stream', 'pdfkit', 'fontkit'];

async function inputs(entry: string, production: boolean): Promise<string[]> {
  const result = await build({
    absWorkingDir: root, entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', write: false, metafile: true, logLevel: 'silent',
    external, plugins: production ? [emulatorFreePlugin(root)] : [],
  });
  return emulatorInputs(result.metafile);
}

describe('production bundle', () => {
  it.each(ENTRIES)('%s: the dev bundle carries emulators, the production bundle none', async (entry) => {
    expect((await inputs(entry, false)).length).toBeGreaterThan(0);
    expect(await inputs(entry, true)).toEqual([]);
  }, 60_000);

  it('a second door into emulators/** fails the production build with the importer named', async () => {
    const error = await build({
      absWorkingDir: root, stdin: { contents: "import { Ledger } from './emulators/terminal/ledger';\nexport const l = Ledger;\n", resolveDir: root, sourcefile: 'main/fixture.ts', loader: 'ts' },
      bundle: true, platform: 'node', format: 'esm', write: false, logLevel: 'silent', external, plugins: [emulatorFreePlugin(root)],
    }).then(() => null, (e: unknown) => e);
    expect(String(error)).toMatch(/emulator code never enters a production bundle/);
  });

  it('a fresh install (environment "emulator") of a build without emulators: sales blocked with an instruction, nothing sent', async () => {
    const dataDir = tempDir();
    const core = await startCore({ configFile: path.join(dataDir, 'paydesk.config.json'), dataDir, logger: silentLogger(), watchConfig: false });
    try {
      expect(core.environment().blocked?.details).toMatch(/no emulators/);
      expect(core.checkout.methods().map((m) => [m.method, m.ready])).toEqual([['SBP', false], ['DOLYAME', false], ['card', false]]);
      await expect(core.checkout.pay({ orderId: orderId(), amountKop: 1_000, paymentType: 'card' })).rejects.toMatchObject({ key: 'config.invalid' });
      expect(core.journal.sqlite.prepare('SELECT COUNT(*) AS n FROM operations').get()).toEqual({ n: 0 });
    } finally {
      await core.close();
    }
  });
});
