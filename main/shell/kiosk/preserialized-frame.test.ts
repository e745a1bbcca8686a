// The kiosk WebSocket with a pre-serialised answer (main/api/pre-serialized.ts): the text reaches the page
// spliced into an ordinary response frame, which the page's frame schema reads as any other.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { PreSerialized } from '../../api/pre-serialized';
import type { ApiSession } from '../../api/session';
import { WS_PATH, WS_PROTOCOL, WS_TOKEN_PREFIX, wsServerFrameSchema } from '../../contract/api';
import { tempDir } from '../../../test/support/till';
import { startKioskServer, type KioskServer } from './server';

const token = 'p'.repeat(43);
const body = '{"type":"x","operations":[{"id":"op-1","note":"«кавычки» \\" и \\\\"}]}';
let server: KioskServer;
const session: ApiSession = {
  dispatch: (method) => Promise.resolve(method === 'report.x' ? { ok: true, data: new PreSerialized(body) } : { ok: true, data: { plain: true } }),
  status: () => { throw new Error('unused'); },
  subscribe: () => () => undefined,
  close: () => Promise.resolve(),
};

beforeAll(async () => {
  const root = path.join(tempDir('paydesk-kiosk-frame-'), 'renderer');
  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>till</title>');
  server = await startKioskServer({ session, rendererDir: root, token });
});
afterAll(async () => {
  await server.close();
});

describe('kiosk WebSocket: a pre-serialised answer', () => {
  it('arrives as a normal response frame with the text unchanged inside', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}${WS_PATH}`, [WS_PROTOCOL, `${WS_TOKEN_PREFIX}${token}`]);
    const frames: string[] = [];
    ws.on('message', (data) => frames.push(String(data)));
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
    ws.send(JSON.stringify({ id: 7, method: 'report.x', input: {} }));
    ws.send(JSON.stringify({ id: 8, method: 'status.get', input: {} }));
    const end = Date.now() + 10_000;
    while (frames.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    ws.close();
    const byId = new Map(frames.map((f) => [(JSON.parse(f) as { id: number }).id, f]));
    expect(byId.get(7)).toBe(`{"id":7,"response":{"ok":true,"data":${body}}}`);
    expect(wsServerFrameSchema.parse(JSON.parse(byId.get(7) ?? ''))).toEqual({ id: 7, response: { ok: true, data: JSON.parse(body) as unknown } });
    expect(JSON.parse(byId.get(8) ?? '')).toEqual({ id: 8, response: { ok: true, data: { plain: true } } });
  });
});
