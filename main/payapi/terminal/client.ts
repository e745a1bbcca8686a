// Thin I/O adapter to the terminal's payment application: launch a program, or talk to a local TCP or
// HTTP endpoint, send one request, read the answer(s). Never throws: every way a terminal can fail is an
// outcome, and the outcome says whether the request provably never reached the application.
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import iconv from 'iconv-lite';
import type { z } from 'zod';
import {
  lookupAnswerSchema, MAX_ANSWER_BYTES, parseAnswers, saleAnswerSchema,
  type LookupAnswer, type SaleAnswer, type TerminalRequest,
} from './contract';
import type { TerminalEncoding, TerminalLaunch } from './config';

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
  bytes: Buffer;
  /** Set when the exchange ended without a readable result. */
  fault: { kind: 'not_delivered'; fault: NotDeliveredFault; detail: string } | { kind: 'unknown'; fault: UnknownFault; detail: string } | null;
}

export class TerminalClient {
  /** @param encoding the bytes the application reads and writes (Windows terminal software often speaks CP1251). */
  constructor(private readonly launch: TerminalLaunch, private readonly encoding: TerminalEncoding = 'utf-8') {}

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
      raw = { bytes: Buffer.alloc(0), fault: { kind: 'unknown', fault: 'reset', detail: error instanceof Error ? error.message : String(error) } };
    }
    const text = iconv.decode(raw.bytes, this.encoding);
    // An answer that did arrive counts even if the program then exited badly or was killed by us.
    const parsed = parseAnswers(text, schema, request.operationExternalId);
    if (parsed.kind === 'answer') return { kind: 'answer', answer: parsed.answer, duplicates: parsed.duplicates };
    if (parsed.kind === 'conflict') return { kind: 'unknown', fault: 'conflict', detail: `${parsed.count} differing answers` };
    if (raw.fault) return raw.fault;
    if (parsed.kind === 'garbage') return { kind: 'unknown', fault: 'garbage', detail: parsed.problem };
    return { kind: 'unknown', fault: 'exit', detail: 'no answer' };
  }

  private transport(request: TerminalRequest, timeoutMs: number): Promise<Raw> {
    const line = iconv.encode(`${JSON.stringify(request)}\n`, this.encoding);
    switch (this.launch.mode) {
      case 'exec':
        return execExchange(this.launch.executable, substitute(this.launch.args, request), line, timeoutMs);
      case 'tcp':
        return tcpExchange(this.launch.host, this.launch.port, line, timeoutMs);
      case 'http':
        return httpExchange(this.launch.url, line, this.encoding, timeoutMs);
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
  private size = 0;
  overflow = false;
  private grace: NodeJS.Timeout | null = null;

  constructor(private readonly onSettle: () => void) {}

  push(chunk: Buffer): void {
    if (this.overflow) return;
    this.size += chunk.length;
    if (this.size > MAX_ANSWER_BYTES) {
      this.overflow = true;
      this.onSettle();
      return;
    }
    this.chunks.push(chunk);
    if (!this.grace && chunk.includes(10)) this.grace = setTimeout(() => this.onSettle(), ANSWER_GRACE_MS);
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  clear(): void {
    if (this.grace) clearTimeout(this.grace);
  }
}

function execExchange(executable: string, args: string[], line: Buffer, timeoutMs: number): Promise<Raw> {
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
      child.stdin?.end(line);
    });
    child.stdin?.on('error', () => {}); // the program may exit without reading stdin
    child.stdout?.on('data', (chunk: Buffer) => collector.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (!spawned) finish({ bytes: Buffer.alloc(0), fault: { kind: 'not_delivered', fault: 'missing', detail: `${error.code ?? 'spawn'}: ${executable}` } });
    });
    child.on('close', (code, signal) => {
      const bytes = collector.bytes();
      if (ourKill === 'overflow') return finish({ bytes: Buffer.alloc(0), fault: { kind: 'unknown', fault: 'garbage', detail: 'answer too large' } });
      if (ourKill === 'timeout') return finish({ bytes, fault: { kind: 'unknown', fault: 'timeout', detail: `no answer in ${timeoutMs} ms` } });
      if (ourKill === 'grace') return finish({ bytes, fault: null });
      if (signal) return finish({ bytes, fault: { kind: 'unknown', fault: 'killed', detail: `terminal application killed by ${signal}` } });
      if (code !== 0) return finish({ bytes, fault: { kind: 'unknown', fault: 'exit', detail: `terminal application exited with ${code}` } });
      finish({ bytes, fault: null });
    });
  });
}

function tcpExchange(host: string, port: number, line: Buffer, timeoutMs: number): Promise<Raw> {
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
      if (collector.overflow) finish({ bytes: Buffer.alloc(0), fault: { kind: 'unknown', fault: 'garbage', detail: 'answer too large' } });
      else finish({ bytes: collector.bytes(), fault: null });
    });
    const timer = setTimeout(() => finish({ bytes: collector.bytes(), fault: { kind: 'unknown', fault: 'timeout', detail: `no answer in ${timeoutMs} ms` } }), timeoutMs);
    socket.on('connect', () => {
      connected = true;
      socket.write(line);
    });
    socket.on('data', (chunk: Buffer) => collector.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!connected) finish({ bytes: Buffer.alloc(0), fault: { kind: 'not_delivered', fault: 'refused', detail: `${error.code ?? 'error'} ${host}:${port}` } });
      else finish({ bytes: collector.bytes(), fault: { kind: 'unknown', fault: 'reset', detail: error.code ?? error.message } });
    });
    socket.on('close', () => {
      if (connected) finish({ bytes: collector.bytes(), fault: null });
    });
  });
}

function httpExchange(url: string, body: Buffer, encoding: TerminalEncoding, timeoutMs: number): Promise<Raw> {
  return new Promise((resolve) => {
    let settled = false;
    let answered = false;
    const finish = (raw: Raw) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(raw);
    };
    const req = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': `application/json; charset=${encoding}`, 'content-length': body.length } }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > MAX_ANSWER_BYTES) finish({ bytes: Buffer.alloc(0), fault: { kind: 'unknown', fault: 'garbage', detail: 'answer too large' } });
        else chunks.push(chunk);
      });
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) finish({ bytes: Buffer.alloc(0), fault: { kind: 'unknown', fault: 'http', detail: `HTTP ${status}` } });
        else finish({ bytes, fault: null });
      });
      res.on('error', (error) => finish({ bytes: Buffer.alloc(0), fault: { kind: 'unknown', fault: 'reset', detail: error.message } }));
    });
    const timer = setTimeout(() => finish({ bytes: Buffer.alloc(0), fault: { kind: 'unknown', fault: 'timeout', detail: `no answer in ${timeoutMs} ms` } }), timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => {
      // Refused before any byte left: the application never saw the request.
      if (!answered && error.code === 'ECONNREFUSED') finish({ bytes: Buffer.alloc(0), fault: { kind: 'not_delivered', fault: 'refused', detail: `ECONNREFUSED ${url}` } });
      else finish({ bytes: Buffer.alloc(0), fault: { kind: 'unknown', fault: 'reset', detail: error.code ?? error.message } });
    });
    req.end(body);
  });
}
