import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { BROWSER_NICE, browserCommand, browserNice, electronPidsToLower, findNiceProgram, lowerThreads } from './browser-priority';

const niceOfThread = (pid: number, tid: string): number => {
  // /proc/<pid>/task/<tid>/stat: field 19 is the nice value; the command name (field 2) may hold spaces.
  const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
};

describe('browser priority (kiosk launcher)', () => {
  it('starts the browser through nice, which execs it (same pid), with the browser\'s own arguments untouched', () => {
    const c = browserCommand('/usr/bin/chromium', ['--app=http://127.0.0.1:1/', '--no-first-run'], 10, '/usr/bin/nice');
    expect(c).toEqual({ command: '/usr/bin/nice', args: ['-n', '10', '--', '/usr/bin/chromium', '--app=http://127.0.0.1:1/', '--no-first-run'], lowered: true });
    // no nice program (Windows, macOS, a stripped system) or nice 0: the browser itself; the caller lowers it after the start
    expect(browserCommand('/usr/bin/chromium', ['--x'], 10, null)).toEqual({ command: '/usr/bin/chromium', args: ['--x'], lowered: false });
    expect(browserCommand('/usr/bin/chromium', ['--x'], 0, '/usr/bin/nice')).toEqual({ command: '/usr/bin/chromium', args: ['--x'], lowered: false });
    expect(findNiceProgram('win32')).toBeNull();
    expect(findNiceProgram('linux', (f) => f === '/bin/nice')).toBe('/bin/nice');
  });

  it('takes PAYDESK_BROWSER_NICE 0–19 and ignores anything else (the default stays)', () => {
    expect(BROWSER_NICE).toBeGreaterThan(0);
    expect(browserNice({})).toBe(BROWSER_NICE);
    expect(browserNice({ PAYDESK_BROWSER_NICE: '0' })).toBe(0);
    expect(browserNice({ PAYDESK_BROWSER_NICE: '19' })).toBe(19);
    for (const bad of ['-5', '20', 'abc', '', '1.5', '10 ']) expect(browserNice({ PAYDESK_BROWSER_NICE: bad })).toBe(BROWSER_NICE);
  });

  it('Electron: lowers the window\'s renderer, the GPU process and the zygote, never the main process or the core\'s utility process', () => {
    const metrics = [
      { pid: 100, type: 'Browser' }, { pid: 101, type: 'Zygote' }, { pid: 102, type: 'GPU' }, { pid: 103, type: 'Utility' },
      { pid: 104, type: 'Tab' }, { pid: 105, type: 'Tab' }, { pid: 106, type: 'Sandbox helper' },
    ];
    expect(electronPidsToLower(metrics, 100)).toEqual([101, 102, 104, 105]);
    expect(electronPidsToLower([{ pid: 7, type: 'Tab' }], 7)).toEqual([]);
  });

  let child: ReturnType<typeof spawn> | null = null;
  afterEach(() => {
    child?.kill('SIGKILL');
    child = null;
  });

  it.runIf(process.platform === 'linux')('lowers every thread of a running process (setpriority on the pid alone reaches only its main thread)', async () => {
    // A real multi-threaded process (node: libuv pool, V8 platform threads).
    child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const pid = child.pid as number;
    await new Promise((r) => setTimeout(r, 300));
    const tids = fs.readdirSync(`/proc/${pid}/task`);
    expect(tids.length).toBeGreaterThan(1);
    const target = Math.min(19, os.getPriority() + 7);
    expect(lowerThreads(pid, target)).toBe(tids.length);
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) expect(niceOfThread(pid, tid)).toBe(target);
    // already low enough: nothing to do, and never raised back
    expect(lowerThreads(pid, target - 1)).toBe(0);
    expect(niceOfThread(pid, String(pid))).toBe(target);
  });
});
