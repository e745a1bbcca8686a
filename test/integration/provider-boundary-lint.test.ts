// The provider boundary is a lint rule that really fires: ESLint's API runs the repository's own
// eslint.config.js on fixture sources placed (virtually) in each provider-neutral layer.
import path from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..', '..');
let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
  return (result?.messages ?? []).filter((m) => m.ruleId?.startsWith('paydesk/provider-boundary')).map((m) => `${m.severity}:${m.message}`);
}

const KOSHELEK_FROM_MAIN = "import { KoshelekClient } from '../payapi/koshelek/client';\nexport const x = KoshelekClient;\n";

describe('lint: provider-neutral layers import no provider folder and no emulator', () => {
  it.each(['main/checkout/fixture.ts', 'main/journal/fixture.ts', 'main/reports/fixture.ts', 'main/contract/fixture.ts', 'main/api/fixture.ts'])('%s importing the Koshelek client fails', async (file) => {
    const errors = await boundaryErrors(file, KOSHELEK_FROM_MAIN);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^2:.*provider folder/);
  });

  it('every import form is caught: type import, re-export, export *, dynamic import, require, import type()', async () => {
    const code = [
      "import type { TerminalState } from '../payapi/terminal/machine';",
      "export { terminalProvider } from '../payapi/terminal/descriptor';",
      "export * from '../payapi/terminal/contract';",
      "export const later = () => import('../payapi/koshelek/client');",
      "declare const require: (m: string) => unknown;",
      "export const r = require('../../emulators/koshelek');",
      "export type T = import('../payapi/terminal/config').TerminalConfig;",
      'export type S = TerminalState;',
    ].join('\n');
    const errors = await boundaryErrors('main/checkout/fixture-forms.ts', code);
    expect(errors).toHaveLength(6);
    expect(errors.filter((e) => e.includes('an emulator'))).toHaveLength(1);
  });

  it('emulators are refused too, and the renderer is covered', async () => {
    expect(await boundaryErrors('main/reports/fixture.ts', "import { Ledger } from '../../emulators/terminal';\nexport const l = Ledger;\n")).toHaveLength(1);
    expect(await boundaryErrors('renderer/screens/Fixture.tsx', "import { TERMINAL_PROVIDER } from '../../main/payapi/terminal/slip';\nexport const p = TERMINAL_PROVIDER;\n")).toHaveLength(1);
  });

  it('the composition root and the registry may import providers; neutral imports pass', async () => {
    expect(await boundaryErrors('main/core/fixture.ts', KOSHELEK_FROM_MAIN)).toEqual([]);
    expect(await boundaryErrors('main/checkout/fixture.ts', "import type { Capability } from '../providers/types';\nexport type C = Capability;\n")).toEqual([]);
    expect(await boundaryErrors('main/checkout/fixture.ts', "import { describeError } from '../errors/catalogue';\nexport const d = describeError;\n")).toEqual([]);
  });

  it('checkout itself is held to the rule (no allow-list is left)', async () => {
    expect(await boundaryErrors('main/checkout/service.ts', KOSHELEK_FROM_MAIN)).toHaveLength(1);
    expect(await boundaryErrors('main/checkout/basket.ts', KOSHELEK_FROM_MAIN)).toHaveLength(1);
  });

  it('the real tree passes the rule today (no new breach anywhere in the guarded layers)', async () => {
    const results = await eslint.lintFiles(['main/checkout', 'main/journal', 'main/reports', 'main/contract', 'main/api', 'renderer']);
    const hits = results.flatMap((r) => r.messages.filter((m) => m.ruleId?.startsWith('paydesk/provider-boundary')).map((m) => `${path.relative(root, r.filePath)}: ${m.message}`));
    expect(hits).toEqual([]);
  });
});
