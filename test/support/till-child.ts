// A till support script run as a child OS process (tsx), its stdout read as JSON lines: what the crash
// tests use to SIGKILL a real till (from outside or by PAYDESK_FAILPOINT) and read what it reported.
import { spawn, type ChildProcess } from 'node:child_process';

export interface TillChild {
  process: ChildProcess;
  lines: Record<string, unknown>[];
  /** Resolves when the child exits, with its signal (SIGKILL for a kill) and every line it printed. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; lines: Record<string, unknown>[] }>;
}

export function runTillChild(script: string, args: string[], failpoint: string, onLine: (line: Record<string, unknown>) => void = () => undefined): TillChild {
  const p = spawn(process.execPath, ['--import', 'tsx', script, ...args], { env: { ...process.env, PAYDESK_FAILPOINT: failpoint }, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: Record<string, unknown>[] = [];
  let buffer = '';
  p.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>;
      buffer = buffer.slice(nl + 1);
      lines.push(line);
      onLine(line);
    }
  });
  return { process: p, lines, exited: new Promise((resolve) => p.on('exit', (code, signal) => resolve({ code, signal, lines }))) };
}
