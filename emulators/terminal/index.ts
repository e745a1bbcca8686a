// The terminal emulator for tests and demos: build the program once (a real executable script, so a
// launch costs what a vendor app's launch costs, not a TypeScript compile), launch it per operation,
// or run it as a local TCP/HTTP endpoint in its own process; or embed it (demo, only when config says so).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TerminalLaunch } from '../../main/payapi/terminal/config';
import { Ledger, type FaultMode } from './ledger';

export { Ledger, FAULT_MODES, type FaultMode } from './ledger';
export { startEmbeddedTerminalEmulator } from './embedded';

const here = path.dirname(fileURLToPath(import.meta.url));
let built: string | null = null;

/** Bundles cli.ts into one .mjs (esbuild, a dev dependency): the emulator as a stand-alone program. */
export async function terminalEmulatorProgram(): Promise<string> {
  if (built && fs.existsSync(built)) return built;
  const { build } = await import('esbuild');
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-terminal-emu-')), 'terminal-emulator.mjs');
  await build({
    entryPoints: [path.join(here, 'cli.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: out, logLevel: 'silent',
    // CommonJS dependencies (iconv-lite) require Node built-ins; an ESM bundle needs a require for them.
    banner: { js: "import { createRequire as __paydeskRequire } from 'node:module'; const require = __paydeskRequire(import.meta.url);" },
  });
  built = out;
  return out;
}

export interface EmulatorArgs {
  fault?: FaultMode;
  processingMs?: number;
  slowMs?: number;
  encoding?: 'utf-8' | 'windows-1251';
}

function flags(args: EmulatorArgs): string[] {
  return [
    ...(args.fault ? ['--fault', args.fault] : []),
    ...(args.processingMs !== undefined ? ['--processing-ms', String(args.processingMs)] : []),
    ...(args.slowMs !== undefined ? ['--slow-ms', String(args.slowMs)] : []),
    ...(args.encoding ? ['--encoding', args.encoding] : []),
  ];
}

/** A launch config that starts the emulator program per operation (the app-to-app "exec" mode). */
export async function execLaunch(stateDir: string, args: EmulatorArgs = {}): Promise<TerminalLaunch> {
  return { mode: 'exec', executable: process.execPath, args: [await terminalEmulatorProgram(), 'once', '--state', stateDir, ...flags(args)] };
}

export interface TerminalServerProcess {
  child: ChildProcess;
  port: number;
  launch: TerminalLaunch;
  ledger: Ledger;
  exited: Promise<void>;
  stop(): Promise<void>;
}

/** The emulator as a local endpoint in its own OS process (so its crash faults are real crashes). */
export async function spawnTerminalServer(transport: 'tcp' | 'http', stateDir: string, args: EmulatorArgs & { port?: number } = {}): Promise<TerminalServerProcess> {
  const program = await terminalEmulatorProgram();
  const child = spawn(process.execPath, [program, 'serve', '--transport', transport, '--port', String(args.port ?? 0), '--state', stateDir, ...flags(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = '';
    child.stdout?.on('data', (c: Buffer) => {
      buffer += c.toString();
      const nl = buffer.indexOf('\n');
      if (nl >= 0) resolve((JSON.parse(buffer.slice(0, nl)) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`terminal emulator exited with ${code}`)));
  });
  const launch: TerminalLaunch = transport === 'tcp' ? { mode: 'tcp', host: '127.0.0.1', port } : { mode: 'http', url: `http://127.0.0.1:${port}/terminal` };
  return {
    child, port, launch, ledger: new Ledger(stateDir), exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
