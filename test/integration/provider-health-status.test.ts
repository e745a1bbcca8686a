// A bank's connection health reaches the status the renderer shows (status.get through the API session):
// unknown before the bank was asked, down with the cashier's Russian instruction once the bank stopped
// answering a sale, ok again after a sale it answered.
import { afterEach, describe, expect, it } from 'vitest';
import { HalykEmulator } from '../../emulators/halyk';
import { createScanPort } from '../../main/api/scan-port';
import { createApiSession } from '../../main/api/session';
import type { ApiResponse, StatusView } from '../../main/contract/api';
import { orderId, startTill } from '../support/till';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until<T>(f: () => Promise<T | null | undefined | false>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const data = <T,>(r: ApiResponse): T => {
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.data as T;
};

describe('provider health in the status', () => {
  it('Halyk down: the status line of that provider says down with a Russian instruction; Koshelek is untouched', async () => {
    const kz = new HalykEmulator();
    const kzUrl = await kz.start();
    let stopped = false;
    cleanups.push(async () => {
      if (!stopped) await kz.stop();
    });
    const till = await startTill({
      extra: {
        providers: ['koshelek', 'halyk'],
        halyk: {
          enabled: true, oauthUrl: kzUrl, apiUrl: kzUrl, clientId: 'test', clientSecret: 'secret', terminalId: 'terminal-1', shopId: 'shop-1',
          timing: { requestTimeoutMs: 600, pollScheduleMs: [100, 100, 200] },
        },
      },
    });
    cleanups.push(() => till.close());
    const session = createApiSession({ core: till.core, scans: await createScanPort(till.core), shell: 'kiosk', statusTickMs: 0 });
    cleanups.push(() => session.close());
    const line = async (provider: string) => data<StatusView>(await session.dispatch('status.get', {})).providers.find((p) => p.provider === provider);

    expect(await line('halyk')).toMatchObject({ ready: true, health: 'unknown', healthProblem: null });
    expect(await line('koshelek')).toMatchObject({ health: 'unknown', healthProblem: null });

    await kz.stop();
    stopped = true;
    await till.core.checkout.pay({ orderId: orderId(), amountKop: 5_000, paymentType: 'card_foreign' });
    const down = await until(async () => {
      const l = await line('halyk');
      return l?.health === 'down' ? l : null;
    }, 15_000, 'halyk down in the status');
    expect(down.healthProblem?.key).toBe('provider.down');
    expect(down.healthProblem?.ru).toMatch(/Нет связи с платёжной системой/);
    // what failed last, for IT (an error key, never a secret)
    expect(down.healthProblem?.details).toMatch(/^bank\./);
    expect(JSON.stringify(down)).not.toContain('secret');
    expect(await line('koshelek')).toMatchObject({ health: 'unknown' });
  });
});
