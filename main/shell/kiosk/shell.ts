// Start the core, the API session and the kiosk server together. Used by the kiosk entry
// (main/shell/kiosk/main.ts), by the e2e tests in-process, and by the cold-start bench.
import { startCore } from '../../core/core';
import type { StartedCore } from '../../core/core';
import type { CoreOptions } from '../../core/types';
import { createApiSession, type ApiSession } from '../../api/session';
import { createScanPort } from '../../api/scan-port';
import { exportDirFor } from '../../api/shift-api';
import { createDownloads } from './downloads';
import { createCustomerDisplayFeed, type CustomerDisplayFeed } from '../../display/feed';
import { kioskApi, startKioskServer, type KioskServer } from './server';
import type { FrontDoor } from './front-door';

/** Longest wait for the pre-warmed connection before the shell reports ready anyway. */
export const WARM_WAIT_MS = 2_000;

export interface KioskShellOptions extends CoreOptions {
  rendererDir: string;
  port?: number;
  token?: string;
  displayToken?: string;
  onError?: (method: string, error: unknown) => void;
  /** Embedded emulator's customer confirmation delay (tests, demos). */
  emulatorConfirmDelayMs?: number;
  /** The kiosk's core process: its other threads yield to the core's (main/core/loop-priority.ts). */
  loopPriority?: boolean;
  /**
   * A front door already serving the page (the kiosk core opens it before loading the core, docs/architecture.md
   * "Start-up"): the API is attached to it; rendererDir, port and the tokens are then the door's.
   */
  door?: FrontDoor;
}

export interface KioskShell {
  core: StartedCore;
  session: ApiSession;
  server: KioskServer;
  /** What the customer display shows (config customerDisplay). */
  display: CustomerDisplayFeed;
  /** Milliseconds from the call to each step being done. */
  marks: Record<string, number>;
  close(): Promise<void>;
}

export async function startKioskShell(options: KioskShellOptions): Promise<KioskShell> {
  const t0 = performance.now();
  const marks: Record<string, number> = {};
  const core = await startCore({ configFile: options.configFile, dataDir: options.dataDir, watchConfig: options.watchConfig, emulatorConfirmDelayMs: options.emulatorConfirmDelayMs, loopPriority: options.loopPriority ?? false });
  marks.core = performance.now() - t0;
  // Ready means the Pay API connection is open (the first payment pays no TCP/TLS handshake); a
  // network that is down must not hold the till's start, so the wait is capped.
  const warm = await Promise.race([core.warm.catch(() => false), new Promise<boolean>((r) => setTimeout(() => r(false), WARM_WAIT_MS).unref())]);
  marks.warm = performance.now() - t0;
  marks.warmOk = warm ? 1 : 0;
  const scans = await createScanPort(core);
  marks.scanner = performance.now() - t0;
  // report.open: the window gets a short-lived download address of the exported file.
  const downloads = createDownloads({ exportDir: exportDirFor(core) });
  const openFile = (file: string): Promise<{ url: string; opened: boolean }> => Promise.resolve({ url: downloads.offer(file), opened: false });
  const display = createCustomerDisplayFeed(core);
  const session = createApiSession({ core, scans, shell: 'kiosk', onError: options.onError, openFile, display });
  let server: KioskServer;
  try {
    if (options.door) {
      options.door.attach(kioskApi({ session, downloads, display }));
      server = options.door;
    } else {
      server = await startKioskServer({ session, rendererDir: options.rendererDir, port: options.port, token: options.token, displayToken: options.displayToken, downloads, display });
    }
  } catch (error) {
    display.close();
    await session.close();
    await scans.close();
    await core.close();
    throw error;
  }
  marks.server = performance.now() - t0;
  return {
    core,
    session,
    server,
    display,
    marks,
    async close() {
      await server.close();
      display.close();
      await session.close();
      await scans.close();
      await core.close();
    },
  };
}
