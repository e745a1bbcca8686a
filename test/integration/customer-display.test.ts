// The customer display's connection to the kiosk server, on the raw WebSocket and HTTP an attacker would use:
// its token opens the read-only display stream and nothing else. Every request on it — money, reports, status —
// is refused without reaching the API session; it never receives the till's events; its launch code is worth
// only the display token; and without a display configured its token opens nothing.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ApiEvent, ApiResponse } from '../../main/contract/api';
import { API_METHOD_LIST } from '../../main/contract/api-names';
import type { CustomerDisplayView } from '../../main/contract/display';
import type { ApiSession } from '../../main/api/session';
import { startKioskServer, type KioskServer } from '../../main/shell/kiosk/server';
import { tempDir } from '../support/till';

const TILL_TOKEN = 't'.repeat(43);
const DISPLAY_TOKEN = 'd'.repeat(43);
const dispatched: string[] = [];
const tillListeners = new Set<(e: ApiEvent) => void>();
const session: ApiSession = {
  dispatch: (method) => {
    dispatched.push(String(method));
    return Promise.resolve({ ok: true, data: { method } } as ApiResponse);
  },
  status: () => { throw new Error('unused'); },
  subscribe: (l) => { tillListeners.add(l); return () => tillListeners.delete(l); },
  close: () => Promise.resolve(),
};
let view: CustomerDisplayView = { state: 'idle', storeName: 'Ромашка', totalKop: null, qr: null };
const displayListeners = new Set<(v: CustomerDisplayView) => void>();
const feed = {
  current: () => view,
  subscribe: (l: (v: CustomerDisplayView) => void) => { displayListeners.add(l); return () => displayListeners.delete(l); },
};
const publish = (next: CustomerDisplayView): void => { view = next; for (const l of displayListeners) l(next); };

let server: KioskServer;
let bare: KioskServer;
beforeAll(async () => {
  const root = path.join(tempDir('paydesk-display-'), 'renderer');
  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>till</title>');
  fs.writeFileSync(path.join(root, 'display.html'), '<!doctype html><title>display</title>');
  server = await startKioskServer({ session, rendererDir: root, token: TILL_TOKEN, displayToken: DISPLAY_TOKEN, display: feed });
  bare = await startKioskServer({ session, rendererDir: root, token: TILL_TOKEN, displayToken: DISPLAY_TOKEN });
});
afterAll(async () => {
  await server.close();
  await bare.close();
});

interface Opened { ws: WebSocket; frames: unknown[]; next(pred: (f: unknown) => boolean): Promise<unknown> }
function open(s: KioskServer, token: string): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}/api`, ['paydesk.v1', `paydesk.token.${token}`], { headers: { Origin: s.origin } });
    const frames: unknown[] = [];
    const waiters: { pred: (f: unknown) => boolean; done: (f: unknown) => void }[] = [];
    ws.on('message', (data) => {
      const frame: unknown = JSON.parse(String(data));
      frames.push(frame);
      for (const w of [...waiters]) if (w.pred(frame)) { waiters.splice(waiters.indexOf(w), 1); w.done(frame); }
    });
    ws.on('open', () => resolve({
      ws, frames,
      next: (pred) => {
        const found = frames.find(pred);
        return found !== undefined ? Promise.resolve(found) : new Promise((done, fail) => {
          waiters.push({ pred, done });
          setTimeout(() => fail(new Error('no such frame within 3 s')), 3_000);
        });
      },
    }));
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on('error', reject);
  });
}
const isResponse = (id: number) => (f: unknown): boolean => typeof f === 'object' && f !== null && (f as { id?: unknown }).id === id;

describe('customer display connection (kiosk, raw WebSocket)', () => {
  it('gets the current view at once, then each change; never the till events', async () => {
    const d = await open(server, DISPLAY_TOKEN);
    expect(await d.next(() => true)).toEqual({ display: view });
    for (const l of tillListeners) l({ event: 'scan', payload: { scan: { raw: 'secret-card' } } } as unknown as ApiEvent);
    publish({ state: 'pay', storeName: 'Ромашка', totalKop: 12_345, qr: { kind: 'qr', payload: 'http://127.0.0.1:1/pay/x', hintRu: 'Отсканируйте' } });
    expect(await d.next((f) => JSON.stringify(f).includes('"pay"'))).toMatchObject({ display: { state: 'pay', totalKop: 12_345 } });
    expect(JSON.stringify(d.frames)).not.toContain('secret-card');
    expect(d.frames.every((f) => Object.keys(f as object).join() === 'display')).toBe(true);
    d.ws.close();
  });

  it('every method of the contract asked on it is refused and never reaches the session', async () => {
    const d = await open(server, DISPLAY_TOKEN);
    const before = dispatched.length;
    const methods = [...API_METHOD_LIST, 'sale.pay', 'refund.start', 'report.z', 'shift.close', 'no.such'];
    methods.forEach((method, i) => d.ws.send(JSON.stringify({ id: 100 + i, method, input: { amountKop: 100, orderId: 'X' } })));
    d.ws.send('not json');
    for (let i = 0; i < methods.length; i++) {
      expect(await d.next(isResponse(100 + i))).toMatchObject({ id: 100 + i, response: { ok: false, error: { key: 'access.denied' } } });
    }
    expect(await d.next((f) => (f as { id?: unknown }).id === null)).toMatchObject({ response: { ok: false } });
    expect(dispatched.length).toBe(before);
    d.ws.close();
  });

  it('the till token still works as before and gets no display frames', async () => {
    const t = await open(server, TILL_TOKEN);
    t.ws.send(JSON.stringify({ id: 1, method: 'status.get', input: {} }));
    expect(await t.next(isResponse(1))).toMatchObject({ response: { ok: true } });
    publish({ state: 'idle', storeName: 'Ромашка', totalKop: null, qr: null });
    await new Promise((r) => setTimeout(r, 100));
    expect(t.frames.some((f) => 'display' in (f as object))).toBe(false);
    t.ws.close();
  });

  it('a display launch code is worth the display token only, once; the till launch code is unchanged', async () => {
    const code = new URL(server.displayLaunchUrl()).hash.replace('#launch=', '');
    expect(new URL(server.displayLaunchUrl()).pathname).toBe('/display.html');
    const post = (c: string) => fetch(`${server.origin}/session`, { method: 'POST', headers: { 'X-Paydesk-Launch': c, Origin: server.origin } });
    const first = await post(code);
    expect(await first.json()).toEqual({ token: DISPLAY_TOKEN });
    expect((await post(code)).status).toBe(401);
    const tillCode = new URL(server.launchUrl()).hash.replace('#launch=', '');
    expect(await (await post(tillCode)).json()).toEqual({ token: TILL_TOKEN });
  });

  it('without a display configured its token opens nothing; a wrong token nothing either', async () => {
    await expect(open(bare, DISPLAY_TOKEN)).rejects.toThrow(/401/);
    await expect(open(server, 'x'.repeat(43))).rejects.toThrow(/401/);
  });

  it('the display page is served like the till page', async () => {
    const res = await fetch(`${server.origin}/display.html`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('display');
  });
});
