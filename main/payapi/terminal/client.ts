// Thin I/O adapter to the terminal's payment application: launch a program, or talk to a local TCP or
// HTTP endpoint, send one request, read the answer(s). Never throws: every way a terminal can fail is an
// outcome, and the outcome says whether the request provably never reached the application.
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import type { z } from 'zod';
import {
  lookupAnswerSchema, MAX_ANSWER_BYTES, parseAnswers, saleAnswerSchema,
  type LookupAnswer, type SaleAnswer, type TerminalRequest,
} from './contract';
import type { TerminalLaunch } from './config';

/** Faults after which the application may have acted: resolve by lookup, never by a second sale. */
export type UnknownFault = 'killed' | 'timeout' | 'garbage' | 'conflict' | 'exit' | 'reset' | 'http';
/** Faults that prove the request never reached the application. */
export type NotDeliveredFault = 'missing' | 'refused';

export type TerminalOutcome<T> =
  | { kind: 'answer'; answer: T; duplicates: number }
  | { kind: 'not_delivered'; fault: NotDeliveredFault; detail: string }
  | { kind: 'unknown'; fault: UnknownFault; detail: string };

/** After the first complete answer line, how long to keep listening for a second one before closing. */
const ANSWER_GRACE_MS = 300;

interface Raw {
  text: string;
  /** Set when the exchange ended without a readable result. */
  fault: { kind: 'not_delivered'; fault: NotDeliveredFault; detail: string } | { kind: 'unknown'; fault: UnknownFault; detail: string } | null;
}

export class TerminalClient {
  constructor(private readonly launch: TerminalLaunch) {}

  sale(input: { operationExternalId: string; amountMinor: number; currency: string }, timeoutMs: number): Promise<TerminalOutcome<SaleAnswer>> {
    const request: TerminalRequest = { v: 1, operation: 'sale', ...input };
    return this.exchange(request, timeoutMs, saleAnswerSchema);
  }

  lookup(operationExternalId: string, timeoutMs: number): Promise<TerminalOutcome<LookupAnswer>> {
    return this.exchange({ v: 1, operation: 'lookup', operationExternalId }, timeoutMs, lookupAnswerSchema);
  }

  private async exchange<T>(request: TerminalRequest, timeoutMs: number, schema: z.ZodType<T>): Promise<TerminalOutcome<T>> {
    let raw: Raw;
    try {
      raw = await this.transport(request, timeoutMs);
    } catch (error) {
      raw = { text: '', fault: { kind: 'unknown', fault: 'reset', detail: error instanceof Error ? error.message : String(error) } };
    }
    // An answer that did arrive counts even if the program then exited badly or was killed by us.
    const parsed = parseAnswers(raw.text, schema, request.operationExternalId);
    if (parsed.kind === 'answer') return { kind: 'answer', answer: parsed.answer, duplicates: parsed.duplicates };
    if (parsed.kind === 'conflict') return { kind: 'unknown', fault: 'conflict', detail: `${parsed.count} differing answers` };
    if (raw.fault) return raw.fault;
    if (parsed.kind === 'garbage') return { kind: 'unknown', fault: 'garbage', detail: parsed.problem };
    return { kind: 'unknown', fault: 'exit', detail: 'no answer' };
  }

  private transport(request: TerminalRequest, timeoutMs: number): Promise<Raw> {
    switch (this.launch.mode) {
      case 'exec':
        return execExchange(this.launch.executable, substitute(this.launch.args, request), request, timeoutMs);
      case 'tcp':
        return tcpExchange(this.launch.host, this.launch.port, request, timeoutMs);
      case 'http':
        return httpExchange(this.launch.url, request, timeoutMs);
    }
  }
}

export function substitute(args: readonly string[], request: TerminalRequest): string[] {
  const values: Record<string, string> = {
    operation: request.operation,
    operationExternalId: request.operationExternalId,
    amountMinor: request.amountMinor === undefined ? '' : String(request.amountMinor),
    currency: request.currency ?? '',
  };
  return args.map((a) => a.replace(/\{(operation|operationExternalId|amountMinor|currency)\}/g, (_, k: string) => values[k] ?? ''));
}

/** Collects answer lines and decides when an exchange is over: closed, capped, or a grace after the first line. */
class Collector {
  private chunks: Buffer[] = [];
  private bytes = 0;
  overflow = false;
  private grace: NodeJS.Timeout | null = null;

  constructor(private readonly onSettle: () => void) {}

  push(chunk: Buffer): void {
    if (this.overflow) return;
    this.bytes += chunk.length;
    if (this.bytes > MAX_ANSWER_BYTES) {
      this.overflow = true;
      this.onSettle();
      return;
    }
    this.chunks.push(chunk);
    if (!this.grace && this.text().includes('\n')) this.grace = setTimeout(() => this.onSettle(), ANSWER_GRACE_MS);
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }

  clear(): void {
    if (this.grace) clearTimeout(this.grace);
  }
}

function execExchange(executable: string, args: string[], request: TerminalRequest, timeoutMs: number): Promise<Raw> {
  return new Promise((resolve) => {
    let spawned = false;
    let settled = false;
    let ourKill: 'timeout' | 'grace' | 'overflow' | null = null;
    const child = spawn(executable, args, { stdio: ['pipe', 'pipe', 'ignore'], shell: false, windowsHide: true });
    const finish = (raw: Raw) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      collector.clear();
      resolve(raw);
    };
    const collector = new Collector(() => {
      ourKill = collector.overflow ? 'overflow' : 'grace';
      child.kill('SIGKILL');
    });
    const timer = setTimeout(() => {
      ourKill = 'timeout';
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('spawn', () => {
      spawned = true;
      child.stdin?.end(`${JSON.stringify(request)}\n`);
    });
    child.stdin?.on('error', () => {}); // the program may exit without reading stdin
    child.stdout?.on('data', (chunk: Buffer) => collector.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (!spawned) finish({ text: '', fault: { kind: 'not_delivered', fault: 'missing', detail: `${error.code ?? 'spawn'}: ${executable}` } });
    });
    child.on('close', (code, signal) => {
      const text = collector.text();
      if (ourKill === 'overflow') return finish({ text: '', fault: { kind: 'unknown', fault: 'garbage', detail: 'answer too large' } });
      if (ourKill === 'timeout') return finish({ text, fault: { kind: 'unknown', fault: 'timeout', detail: `no answer in ${timeoutMs} ms` } });
      if (ourKill === 'grace') return finish({ text, fault: null });
      if (signal) return finish({ text, fault: { kind: 'unknown', fault: 'killed', detail: `terminal application killed by ${signal}` } });
      if (code !== 0) return finish({ text, fault: { kind: 'unknown', fault: 'exit', detail: `terminal application exited with ${code}` } });
      finish({ text, fault: null });
    });
  });
}

function tcpExchange(host: string, port: number, request: TerminalRequest, timeoutMs: number): Promise<Raw> {
  return new Promise((resolve) => {
    let connected = false;
    let settled = false;
    const socket = net.connect({ host, port });
    const finish = (raw: Raw) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      collector.clear();
      socket.destroy();
      resolve(raw);
    };
    const collector = new Collector(() => {
      if (collector.overflow) finish({ text: '', fault: { kind: 'unknown', fault: 'garbage', detail: 'answer too large' } });
      else finish({ text: collector.text(), fault: null });
    });
    const timer = setTimeout(() => finish({ text: collector.text(), fault: { kind: 'unknown', fault: 'timeout', detail: `no answer in ${timeoutMs} ms` } }), timeoutMs);
    socket.on('connect', () => {
      connected = true;
      socket.write(`${JSON.stringify(request)}\n`);
    });
    socket.on('data', (chunk: Buffer) => collector.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!connected) finish({ text: '', fault: { kind: 'not_delivered', fault: 'refused', detail: `${error.code ?? 'error'} ${host}:${port}` } });
      else finish({ text: collector.text(), fault: { kind: 'unknown', fault: 'reset', detail: error.code ?? error.message } });
    });
    socket.on('close', () => {
      if (connected) finish({ text: collector.text(), fault: null });
    });
  });
}

function httpExchange(url: string, request: TerminalRequest, timeoutMs: number): Promise<Raw> {
  return new Promise((resolve) => {
    let settled = false;
    let answered = false;
    const body = JSON.stringify(request);
    const finish = (raw: Raw) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(raw);
    };
    const req = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > MAX_ANSWER_BYTES) finish({ text: '', fault: { kind: 'unknown', fault: 'garbage', detail: 'answer too large' } });
        else chunks.push(chunk);
      });
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) finish({ text: '', fault: { kind: 'unknown', fault: 'http', detail: `HTTP ${status}` } });
        else finish({ text, fault: null });
      });
      res.on('error', (error) => finish({ text: '', fault: { kind: 'unknown', fault: 'reset', detail: error.message } }));
    });
    const timer = setTimeout(() => finish({ text: '', fault: { kind: 'unknown', fault: 'timeout', detail: `no answer in ${timeoutMs} ms` } }), timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => {
      // Refused before any byte left: the application never saw the request.
      if (!answered && error.code === 'ECONNREFUSED') finish({ text: '', fault: { kind: 'not_delivered', fault: 'refused', detail: `ECONNREFUSED ${url}` } });
      else finish({ text: '', fault: { kind: 'unknown', fault: 'reset', detail: error.code ?? error.message } });
    });
    req.end(body);
  });
}
