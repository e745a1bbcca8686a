// Bench instrumentation of the kiosk core, on only with PAYDESK_TRACE_WS=1 (bench/ui.bench.ts sets it):
// CLOCK_MONOTONIC stamps on stderr, which the bench lines up with its own clock (same clock, other process).
//   ws <ns> <method> cpu=… rq=…      an API request arrived on the WebSocket (+ schedstat below)
//   wsdone <ns> <method> cpu=… rq=…  its answer was sent
//   page <ns> <method> <path>         the front door got a request (main/shell/kiosk/front-door.ts)
//   upgrade <ns> attached|waiting     a WebSocket asked in, before or after the API was attached
//   http <ns> <path> cpu=… rq=…      the core created an outgoing HTTP request (diagnostics channel, before the write)
//   gc <ns> <ms>            a garbage collection pause (start stamp, duration), ≥ 1 ms only
//   lag <ns> <ms>           PAYDESK_TRACE_LAG=1: a 5 ms timer fired this late (the event loop was blocked or starved)
// PAYDESK_TRACE_CPUPROF=<file, '%p' = pid>: a V8 CPU profile of the core (0.2 ms sampling) written there at exit
// (--cpu-prof is refused in NODE_OPTIONS, and the supervisor passes no node flags to the core).
// Off, every call is one boolean test; nothing is subscribed.
import dc from 'node:diagnostics_channel';
import fs from 'node:fs';
import inspector from 'node:inspector';
import { PerformanceObserver, performance, type PerformanceEntry } from 'node:perf_hooks';

export const TRACE = process.env.PAYDESK_TRACE_WS === '1';

export function trace(kind: string, detail = ''): void {
  if (!TRACE) return;
  process.stderr.write(`PAYDESK_TRACE ${kind} ${process.hrtime.bigint()}${detail === '' ? '' : ` ${detail}`}\n`);
}

/**
 * The main thread's scheduler counters (Linux /proc/thread-self/schedstat): ns on a CPU and ns runnable but
 * waiting for one. Between two stamps, wall − cpu − runqueue = time blocked in the kernel (fsync, I/O).
 */
export function schedstat(): string {
  try {
    const [cpu, runqueue] = fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ');
    return `cpu=${cpu ?? '?'} rq=${runqueue ?? '?'}`;
  } catch {
    return '';
  }
}

let installed = false;

/** Subscribes the process-wide probes (outgoing HTTP, GC, optionally loop lag) once; no-op unless tracing. */
export function installTraceProbes(): void {
  if (!TRACE || installed) return;
  installed = true;
  dc.subscribe('http.client.request.start', (message) => {
    const request = (message as { request?: { path?: unknown } }).request;
    trace('http', `${typeof request?.path === 'string' ? request.path.split('?')[0] ?? '' : ''} ${schedstat()}`);
  });
  // performance.now() and hrtime are the same monotonic clock with another origin.
  const originNs = process.hrtime.bigint() - BigInt(Math.round(performance.now() * 1e6));
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as PerformanceEntry[]) {
      if (entry.duration < 1) continue;
      const at = originNs + BigInt(Math.round(entry.startTime * 1e6));
      process.stderr.write(`PAYDESK_TRACE gc ${at} ${entry.duration.toFixed(2)}\n`);
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  // '%p' in the name becomes the pid (the bench starts several cores: one file each).
  const profileFile = process.env.PAYDESK_TRACE_CPUPROF?.replace('%p', String(process.pid));
  if (profileFile) {
    const session = new inspector.Session();
    session.connect();
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: 200 });
    session.post('Profiler.start');
    // A same-thread session answers synchronously, so the profile is on disk before the process ends.
    process.on('exit', () => session.post('Profiler.stop', (error, result) => {
      if (!error) fs.writeFileSync(profileFile, JSON.stringify(result.profile));
    }));
  }
  if (process.env.PAYDESK_TRACE_LAG === '1') {
    const periodMs = 5;
    let expected = performance.now() + periodMs;
    const timer = setInterval(() => {
      const now = performance.now();
      const late = now - expected;
      if (late >= 3) process.stderr.write(`PAYDESK_TRACE lag ${originNs + BigInt(Math.round(expected * 1e6))} ${late.toFixed(2)}\n`);
      expected = now + periodMs;
    }, periodMs);
    timer.unref();
  }
}
