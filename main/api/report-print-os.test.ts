// report.printOs: the X / Z as PDF on the computer's ordinary printer, through the real dispatcher and core.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../../test/support/api-session';

let harness: ApiHarness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

describe('report.printOs', () => {
  it('sends the saved PDF to the OS printer; a failed print says so and keeps the file', async () => {
    const printed: { file: string; title: string; head: string }[] = [];
    let failing = false;
    harness = await startApiHarness({}, {
      osPrint: async (file, title) => {
        if (failing) throw new Error('lp not found: no system print service');
        printed.push({ file, title, head: fs.readFileSync(file).subarray(0, 5).toString('latin1') });
      },
    });
    await harness.call('shift.open', { cashier: 'Иванова' });
    const ok = await harness.call('report.printOs', { type: 'x' });
    expect(ok).toMatchObject({ printed: true, error: null, reportType: 'x' });
    expect(printed).toHaveLength(1);
    expect(printed[0]?.head).toBe('%PDF-');
    expect(printed[0]?.title).toMatch(/^X shift \d+$/);

    failing = true;
    const bad = await harness.call('report.printOs', { type: 'x' });
    expect(bad.printed).toBe(false);
    expect(bad.error?.key).toBe('print.failed');
    expect(bad.error?.details).toContain('lp not found');
  });
});
