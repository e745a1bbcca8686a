// The embedded emulators a demo install runs (environment "emulator"), in one module so a production
// build can leave them all out: scripts/build.mjs --production swaps this file for emulators.production.ts
// (docs/safety.md "emulators and builds"). Only the composition root imports it.
import { makeCert, startKoshelekEmulator, type KoshelekEmulator } from '../../emulators/koshelek';
import { HalykEmulator } from '../../emulators/halyk';
import { startEmbeddedTerminalEmulator } from '../../emulators/terminal/embedded';
import { TochkaEmulator } from '../../emulators/tochka';
import type { EmbeddedEmulator } from '../providers/types';

export interface EmbeddedEmulators {
  koshelek(o: { tls: { key: string; cert: string }; confirmDelayMs: number }): Promise<KoshelekEmulator>;
  makeCert(): Promise<{ key: string; cert: string }>;
  /** By provider name: the registry's providers that ship an in-process emulator. */
  providers: Readonly<Record<string, (dir: string) => Promise<EmbeddedEmulator>>>;
}

/** Null in a production build: environment "emulator" then sells nothing (a clear instruction for IT). */
export const EMULATORS: EmbeddedEmulators | null = {
  // The control API (fault injection, request log) stays off in the till: only tests start it.
  koshelek: (o) => startKoshelekEmulator({ tls: o.tls, confirmDelayMs: o.confirmDelayMs, controlApi: false }),
  makeCert: async () => {
    const pems = await makeCert();
    return { key: pems.key, cert: pems.cert };
  },
  providers: {
    terminal: async (dir) => {
      const running = await startEmbeddedTerminalEmulator(dir);
      return { baseUrl: running.launch.mode === 'http' ? running.launch.url : '', close: () => running.close() };
    },
    // Demo installs: the customer "pays" every link a few seconds after it was made (no phone needed).
    tochka: async () => {
      const emulator = new TochkaEmulator({ autoPayAfterMs: DEMO_PAY_AFTER_MS });
      return { baseUrl: await emulator.start(), close: () => emulator.stop() };
    },
    halyk: async () => {
      const emulator = new HalykEmulator();
      const baseUrl = await emulator.start();
      const seen = new Map<string, number>();
      const payer = setInterval(() => {
        for (const inv of emulator.invoices.values()) {
          if (inv.status !== 'NEW') continue;
          const first = seen.get(inv.invoiceId) ?? Date.now();
          seen.set(inv.invoiceId, first);
          if (Date.now() - first >= DEMO_PAY_AFTER_MS) emulator.pay(inv.invoiceId);
        }
      }, 500);
      payer.unref();
      return { baseUrl, close: async () => { clearInterval(payer); await emulator.stop(); } };
    },
  },
};

/** How long the embedded bank emulators' "customer" takes to pay a link (demo installs only). */
const DEMO_PAY_AFTER_MS = 5_000;
