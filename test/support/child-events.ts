// A support script run as a child OS process (node + tsx), its stdout read as JSON lines (one event a
// line): what the kill -9 tests use to start a real till, wait for the step it reports, SIGKILL it (from
// outside, or it kills itself at a PAYDESK_FAILPOINT) and read every line it printed.
import { spawn, type ChildProcess } from 'node:child_process';

export type Line = Record<string, unknown>;

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  lines: Line[];
}

export interface ChildEvents {
  child: ChildProcess;
  /** Every line printed so far, in order. */
  lines: Line[];
  /** Resolves when the child exits, with its signal (SIGKILL for a kill) and every line it printed. */
  exited: Promise<ChildExit>;
  /** The first line whose `event` is this one (already printed, or the next one printed). */
  waitFor(event: string): Promise<Line>;
  kill(): void;
}

export interface ChildOptions {
  /** Set over this process's environment (e.g. PAYDESK_FAILPOINT). */
  env?: Record<string, string>;
  /** Called with each line as it is read (e.g. to kill the child at an exact step). */
  onLine?: (line: Line, kill: () => void) => void;
  /** waitFor rejects once the child exited without the event, naming what it saw (else it waits on). */
  rejectOnExit?: boolean;
}

export function spawnChild(script: string, args: string[], options: ChildOptions = {}): ChildEvents {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const kill = (): void => {
    child.kill('SIGKILL');
  };
  const lines: Line[] = [];
  const waiters: { event: string; resolve: (l: Line) => void }[] = [];
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffer.slice(0, nl)) as Line;
      buffer = buffer.slice(nl + 1);
      lines.push(line);
      options.onLine?.(line, kill);
      for (const w of waiters.filter((x) => x.event === line.event)) w.resolve(line);
    }
  });
  const exited = new Promise<ChildExit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, lines })));
  return {
    child, lines, exited, kill,
    waitFor: (event) => {
      const seen = lines.find((l) => l.event === event);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ event, resolve });
        if (options.rejectOnExit) void exited.then((e) => reject(new Error(`till exited (${e.code ?? e.signal}) before "${event}"; saw ${JSON.stringify(lines.map((l) => l.event))}`)));
      });
    },
  };
}
