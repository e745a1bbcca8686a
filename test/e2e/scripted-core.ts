// A scripted core for renderer tests: serves the built renderer and answers the contract's WebSocket
// frames from handlers the test writes, validating both ways against the contract (main/contract/api.ts)
// so a fixture that breaks the contract fails the test, not the screen. The real core is not involved:
// these tests pin what the screens do with each contract field, whatever the core's state of work.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  API_EVENTS, API_METHODS, isApiMethod, statusViewSchema, WS_PROTOCOL, WS_TOKEN_PREFIX,
  type ApiEventName, type ApiEventPayload, type ApiMethod, type ApiOutput, type ApiParsedInput, type StatusView,
} from '../../main/contract/api';
import type { CashierErrorView, OperationView } from '../../main/contract/checkout';
import { wedgeConfigSchema } from '../../main/contract/scan';

export type Handler<M extends ApiMethod> = (input: ApiParsedInput<M>) => ApiOutput<M> | Promise<ApiOutput<M>>;

/** Thrown by a handler: the call answers { ok: false, error }. */
export class ScriptedError extends Error {
  constructor(readonly cashier: CashierErrorView) {
    super(cashier.key);
  }
}

export interface ScriptedCore {
  url: string;
  calls: { method: ApiMethod; input: unknown }[];
  on<M extends ApiMethod>(method: M, handler: Handler<M>): void;
  emit<E extends ApiEventName>(event: E, payload: ApiEventPayload<E>): void;
  close(): Promise<void>;
}

const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.svg': 'image/svg+xml' };
const TOKEN = 'scripted-token';

export function statusFixture(): StatusView {
  const now = new Date();
  return statusViewSchema.parse({
    environment: { mode: 'emulator', baseUrl: 'https://emulator.invalid', storeId: 's1', terminalId: 'POS-R', embeddedEmulator: false },
    health: { payApi: 'ok', lastCheckedAt: now.toISOString(), lastError: null, clockSkewMs: 0 },
    config: { problems: [], version: 1, loadedAt: now.toISOString() },
    scanner: { serial: null, wedge: wedgeConfigSchema.parse({}) },
    clock: { skewMs: 0, warn: false },
    till: { terminalId: 'POS-R', storeName: 'Тестовый магазин', language: 'ru' },
    shell: 'kiosk',
    shift: { state: 'open', id: 1, openedAt: now.toISOString(), expiresAt: new Date(now.getTime() + 86_400_000).toISOString(), forgotten: false, environment: 'emulator', environmentChanged: false },
    adminCall: null,
  });
}

export function operationFixture(over: Partial<OperationView> = {}): OperationView {
  const now = new Date().toISOString();
  return {
    id: 'op-1', kind: 'payment', provider: 'terminal', providerTitle: 'Карта (терминал)', parentId: null, orderId: 'POS-R-1', amountKop: 10_000,
    phase: 'launching', phaseText: 'Оплата на терминале', isFinal: false, outcome: null, requestId: 'req-1', transactionId: null, refTransactionId: null,
    paymentType: 'card', loyaltyId: null, error: null, slip: null, lines: [], cancellable: false, refundableKop: null, shiftId: 1, recovered: false,
    customerAction: null, createdAt: now, updatedAt: now, finishedAt: null, ...over,
  };
}

export async function startScriptedCore(rendererDir: string): Promise<ScriptedCore> {
  const handlers = new Map<ApiMethod, (input: unknown) => unknown>();
  const calls: { method: ApiMethod; input: unknown }[] = [];
  const sockets = new Set<WebSocket>();
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    const file = path.join(rendererDir, urlPath === '/' ? 'index.html' : urlPath);
    if (!file.startsWith(rendererDir) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream' }).end(fs.readFileSync(file));
  });
  const wss = new WebSocketServer({
    server, path: '/api',
    handleProtocols: (protocols) => (protocols.has(`${WS_TOKEN_PREFIX}${TOKEN}`) && protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });
  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', (data) => {
      void (async () => {
        const frame = JSON.parse(String(data)) as { id: number; method: string; input: unknown };
        const answer = (response: unknown): void => ws.send(JSON.stringify({ id: frame.id, response }));
        if (!isApiMethod(frame.method)) {
          answer({ ok: false, error: { key: 'ipc.unknown_method', ru: 'Нет такого метода', en: 'No such method', action: 'none', severity: 'error' } });
          return;
        }
        const method = frame.method;
        const input = API_METHODS[method].input.parse(frame.input); // the renderer sent what the contract allows
        calls.push({ method, input });
        const handler = handlers.get(method);
        if (!handler) {
          answer({ ok: false, error: { key: 'scripted.unhandled', ru: `Не задано: ${method}`, en: `Unhandled: ${method}`, action: 'none', severity: 'error' } });
          return;
        }
        try {
          answer({ ok: true, data: API_METHODS[method].output.parse(await handler(input)) });
        } catch (error) {
          if (error instanceof ScriptedError) answer({ ok: false, error: error.cashier });
          else throw error;
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const core: ScriptedCore = {
    url: `http://127.0.0.1:${port}/#token=${TOKEN}`,
    calls,
    on(method, handler) {
      handlers.set(method, handler as (input: unknown) => unknown);
    },
    emit(event, payload) {
      const checked = API_EVENTS[event].parse(payload);
      for (const ws of sockets) ws.send(JSON.stringify({ id: null, event: { event, payload: checked } }));
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  core.on('status.get', () => statusFixture());
  return core;
}
