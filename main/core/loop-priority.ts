// The core's loop thread first: every other thread of the core's process (V8's GC and compiler helpers,
// libuv's pool, the checkpoint and report workers) runs in Linux's SCHED_IDLE class and the idle I/O
// class, so a press that wakes from its intent's fsync gets a CPU at once instead of waiting behind a
// helper's time slice, and its WAL writes go to the disk ahead of a checkpoint's.
// On this 2-core machine the dispatch lane's intent commit spent up to 2–4 ms runnable but not running
// (/proc/thread-self/schedstat around the commit); perf sched showed the core's own helper threads on the
// CPU meanwhile. Helpers still run whenever a CPU is free, and V8 finishes GC work on the loop thread
// itself when its helpers lag, so nothing waits forever; under a CPU saturated for long, report building
// and async file reads slow down before payments do, which is the order a till wants (docs/architecture.md).
// Unprivileged processes may move their own threads to SCHED_IDLE (sched(7)) and to the idle I/O class
// (ioprio_set(2)); util-linux's chrt and ionice do it.
// Threads started later are picked up by a slow rescan. Anything that fails leaves the priorities as they are.
import { execFile } from 'node:child_process';
import fs from 'node:fs';

export interface LoopPriority {
  /** Threads moved to SCHED_IDLE so far (the loop thread never is); their I/O class is idle too. */
  demoted(): number;
  /** Resolves once the threads present now have been handled (tests). */
  settled(): Promise<void>;
  stop(): void;
}

const NOOP: LoopPriority = { demoted: () => 0, settled: () => Promise.resolve(), stop: () => undefined };

/** The kernel's id of the calling thread, from /proc/thread-self ("<pid>/task/<tid>"). */
export function currentThreadId(): number | null {
  try {
    const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').at(-1));
    return Number.isInteger(tid) && tid > 0 ? tid : null;
  } catch {
    return null;
  }
}

/** A thread's scheduling policy (field 41 of /proc/<pid>/task/<tid>/stat; 5 = SCHED_IDLE), or null. */
export function threadPolicy(tid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // Fields after the command name, which may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const policy = Number(fields[38]);
    return Number.isInteger(policy) ? policy : null;
  } catch {
    return null;
  }
}

export function prioritizeLoopThread(options: { rescanMs?: number; onError?: (error: string) => void } = {}): LoopPriority {
  if (process.platform !== 'linux') return NOOP;
  const loop = currentThreadId();
  if (loop === null) return NOOP;
  const handled = new Set<number>([loop]);
  let demoted = 0;
  let broken = false;
  let running: Promise<void> = Promise.resolve();
  const scan = (): Promise<void> => {
    running = running.then(() => new Promise<void>((resolve) => {
      if (broken) return resolve();
      let tids: number[];
      try {
        tids = fs.readdirSync('/proc/self/task').map(Number).filter((t) => Number.isInteger(t) && !handled.has(t));
      } catch {
        return resolve();
      }
      if (tids.length === 0) return resolve();
      for (const t of tids) handled.add(t);
      // One child for the batch; a thread that ended meanwhile is skipped (|| true).
      const script = 'command -v chrt >/dev/null && command -v ionice >/dev/null || exit 127; for t; do chrt --idle --pid 0 "$t" 2>/dev/null || true; ionice -c 3 -p "$t" 2>/dev/null || true; done';
      execFile('sh', ['-c', script, 'sh', ...tids.map(String)], { timeout: 10_000 }, (error) => {
        if (error) {
          // No sh, chrt or ionice on this machine: stop trying, say so once.
          broken = true;
          options.onError?.(`sh, chrt or ionice unavailable (${String((error as { code?: unknown }).code ?? error.message)})`);
        } else demoted += tids.filter((t) => threadPolicy(t) === 5).length;
        resolve();
      });
    }));
    return running;
  };
  void scan();
  const timer = setInterval(() => void scan(), options.rescanMs ?? 5_000);
  timer.unref();
  return { demoted: () => demoted, settled: () => running, stop: () => clearInterval(timer) };
}
