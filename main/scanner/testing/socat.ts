// Test helper: a virtual serial cable (socat pty pair). Killing socat = unplugging the scanner;
// restarting it on the same link paths = plugging it back in (the links then point at new ptys).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface PtyPair {
  /** The till's end (what the config's scanner.serial.path names). */
  tillPath: string;
  /** The scanner's end (tests write scans here). */
  scannerPath: string;
  plug(): Promise<void>;
  unplug(): Promise<void>;
  dispose(): Promise<void>;
}

export async function waitFor(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function createPtyPair(name = 'scan'): Promise<PtyPair> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `paydesk-${name}-`));
  const tillPath = path.join(dir, 'till');
  const scannerPath = path.join(dir, 'scanner');
  let child: ChildProcess | null = null;

  const plug = async (): Promise<void> => {
    if (child) return;
    const proc = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${tillPath}`, `pty,raw,echo=0,link=${scannerPath}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    let log = '';
    proc.stderr?.on('data', (d: Buffer) => { log += d.toString(); });
    // socat logs "starting data transfer loop" once both ptys exist
    await waitFor(() => log.includes('starting data transfer loop') || proc.exitCode !== null, 10_000, 'socat');
    if (proc.exitCode !== null) throw new Error(`socat exited: ${log}`);
  };

  const unplug = async (): Promise<void> => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
    await waitFor(() => !fs.existsSync(tillPath), 5_000, 'socat links removed').catch(() => {
      fs.rmSync(tillPath, { force: true });
      fs.rmSync(scannerPath, { force: true });
    });
  };

  await plug();
  return {
    tillPath, scannerPath, plug, unplug,
    dispose: async () => {
      await unplug();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
