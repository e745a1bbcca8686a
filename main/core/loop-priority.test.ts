import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));

// In a child process of its own: the test runner's threads are not the ones to move.
const CHILD = `
import { Worker } from 'node:worker_threads';
import { currentThreadId, prioritizeLoopThread, threadPolicy } from ${JSON.stringify(path.join(here, 'loop-priority.ts'))};
const worker = new Worker("const { parentPort } = require('node:worker_threads'); const fs = require('node:fs'); parentPort.postMessage(Number(fs.readlinkSync('/proc/thread-self').split('/').pop())); setInterval(() => {}, 1000);", { eval: true, execArgv: [] });
const workerTid = await new Promise((r) => worker.once('message', r));
const priority = prioritizeLoopThread({ rescanMs: 50 });
await priority.settled();
const before = priority.demoted();
// A thread started after the first scan is picked up by the rescan.
const late = new Worker("const { parentPort } = require('node:worker_threads'); const fs = require('node:fs'); parentPort.postMessage(Number(fs.readlinkSync('/proc/thread-self').split('/').pop())); setInterval(() => {}, 1000);", { eval: true, execArgv: [] });
const lateTid = await new Promise((r) => late.once('message', r));
await new Promise((r) => setTimeout(r, 400));
await priority.settled();
const { execFileSync } = await import('node:child_process');
const io = (tid) => execFileSync('ionice', ['-p', String(tid)], { encoding: 'utf8' }).trim();
console.log(JSON.stringify({ loop: threadPolicy(currentThreadId()), worker: threadPolicy(workerTid), late: threadPolicy(lateTid), before, after: priority.demoted(), loopIo: io(currentThreadId()), workerIo: io(workerTid) }));
priority.stop();
process.exit(0);
`;

describe.runIf(process.platform === 'linux')('the core loop thread first', () => {
  it('moves every other thread of the process to SCHED_IDLE and the idle I/O class, threads started later too, never the loop thread', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], { encoding: 'utf8', timeout: 30_000 });
    const seen = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { loop: number; worker: number; late: number; before: number; after: number; loopIo: string; workerIo: string };
    expect(seen.loop).toBe(0); // SCHED_OTHER: the press path keeps its normal class
    expect(seen.worker).toBe(5); // SCHED_IDLE
    expect(seen.late).toBe(5);
    expect(seen.before).toBeGreaterThan(1); // V8's and libuv's helpers besides the worker
    expect(seen.after).toBeGreaterThan(seen.before);
    expect(seen.workerIo).toBe('idle'); // its disk writes (a checkpoint's) queue behind the loop thread's
    expect(seen.loopIo).not.toBe('idle');
  });

  it('without chrt or ionice: says so once and leaves every thread as it was', () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-nochrt-'));
    fs.symlinkSync('/bin/sh', path.join(bin, 'sh'));
    const child = `
import { Worker } from 'node:worker_threads';
import { prioritizeLoopThread, threadPolicy } from ${JSON.stringify(path.join(here, 'loop-priority.ts'))};
const worker = new Worker("const { parentPort } = require('node:worker_threads'); const fs = require('node:fs'); parentPort.postMessage(Number(fs.readlinkSync('/proc/thread-self').split('/').pop())); setInterval(() => {}, 1000);", { eval: true, execArgv: [] });
const workerTid = await new Promise((r) => worker.once('message', r));
const errors = [];
const priority = prioritizeLoopThread({ rescanMs: 50, onError: (e) => errors.push(e) });
await new Promise((r) => setTimeout(r, 300));
await priority.settled();
console.log(JSON.stringify({ errors, worker: threadPolicy(workerTid), demoted: priority.demoted() }));
process.exit(0);
`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, PATH: bin } });
    const seen = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { errors: string[]; worker: number; demoted: number };
    expect(seen.errors).toHaveLength(1); // once, not at every rescan
    expect(seen.errors[0]).toContain('unavailable');
    expect(seen.worker).toBe(0);
    expect(seen.demoted).toBe(0);
  });
});
