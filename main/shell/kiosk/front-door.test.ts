// The front door on its own (main/shell/kiosk/front-door.ts): the supervisor's launch code, a WebSocket that
// comes before the API is attached, a handshake parsed elsewhere and handed over, one request per connection.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { openFrontDoor, type AttachedApi, type FrontDoor } from './front-door';

const TOKEN = 'a'.repeat(43);
const DISPLAY = 'd'.repeat(43);
let root: string;
const doors: FrontDoor[] = [];

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-door-'));
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>till</title>');
});
afterEach(async () => {
  for (const door of doors.splice(0)) await door.close();
});

async function open(options: Partial<Parameters<typeof openFrontDoor>[0]> = {}): Promise<FrontDoor> {
  const door = await openFrontDoor({ rendererDir: root, port: 0, listen: true, token: TOKEN, displayToken: DISPLAY, ...options });
  doors.push(door);
  return door;
}

function post(door: FrontDoor, code: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${door.origin}/session`, { method: 'POST', agent: false, headers: { 'X-Paydesk-Launch': code, Origin: door.origin } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Upgrades are answered by a plain 101 echo here: the door's job is who gets through, and when. */
function echoApi(log: string[], hasDisplay = true): AttachedApi {
  return {
    hasDisplay,
    upgrade(_req, socket, _head, role) {
      log.push(role);
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n');
      socket.destroy();
    },
    close: () => undefined,
  };
}

function handshake(door: FrontDoor, token: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${door.port}/api`, ['paydesk.v1', `paydesk.token.${token}`], { origin: door.origin });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(101)); // our echo's bad accept key: it got through to the API
  });
}

describe('the kiosk front door', () => {
  it('trades the supervisor\'s code once, says so once, and not after it is revoked or expired', async () => {
    const used: number[] = [];
    const door = await open({ launch: { code: 'c'.repeat(32), expiresAt: Date.now() + 60_000 }, onLaunchUsed: () => used.push(1) });
    expect(await post(door, 'c'.repeat(32))).toBe(200);
    expect(await post(door, 'c'.repeat(32))).toBe(401);
    expect(used).toEqual([1]);
    const revoked = await open({ launch: { code: 'r'.repeat(32), expiresAt: Date.now() + 60_000 } });
    revoked.revokeLaunch();
    expect(await post(revoked, 'r'.repeat(32))).toBe(401);
    const expired = await open({ launch: { code: 'e'.repeat(32), expiresAt: Date.now() - 1 } });
    expect(await post(expired, 'e'.repeat(32))).toBe(401);
  });

  it('holds an authenticated WebSocket until the API is attached; a wrong token is refused at once', async () => {
    const door = await open();
    const log: string[] = [];
    expect(await handshake(door, 'x'.repeat(43))).toBe(401);
    const held = handshake(door, TOKEN);
    await new Promise((r) => setTimeout(r, 150));
    expect(log).toEqual([]);
    door.attach(echoApi(log));
    expect(await held).toBe(101);
    expect(log).toEqual(['till']);
    expect(await handshake(door, DISPLAY)).toBe(101);
    expect(log).toEqual(['till', 'display']);
  });

  it('refuses the display\'s token when no display is attached', async () => {
    const door = await open();
    door.attach(echoApi([], false));
    expect(await handshake(door, DISPLAY)).toBe(401);
  });

  it('checks a handed-over handshake again, as if it came on its own connection', async () => {
    const door = await open({ listen: false, port: 4321 });
    const log: string[] = [];
    door.attach(echoApi(log));
    const pair = async (headers: http.IncomingHttpHeaders): Promise<string> => {
      const server = net.createServer();
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
      const socket = await new Promise<net.Socket>((r) => server.once('connection', r));
      let seen = '';
      client.on('data', (d) => { seen += String(d); });
      const closed = new Promise((r) => client.on('close', r));
      door.acceptUpgrade(socket, { method: 'GET', url: '/api', headers, head: Buffer.alloc(0) });
      await closed;
      server.close();
      return seen.split('\r\n')[0] ?? '';
    };
    const good = { host: '127.0.0.1:4321', origin: 'http://127.0.0.1:4321', upgrade: 'websocket', 'sec-websocket-protocol': `paydesk.v1, paydesk.token.${TOKEN}` };
    expect(await pair(good)).toBe('HTTP/1.1 101 Switching Protocols');
    expect(await pair({ ...good, host: 'evil.example:4321' })).toBe('HTTP/1.1 401 Unauthorized');
    expect(await pair({ ...good, 'sec-websocket-protocol': 'paydesk.v1, paydesk.token.nope' })).toBe('HTTP/1.1 401 Unauthorized');
    expect(log).toEqual(['till']);
  });

  it('answers one request per connection when asked to (the supervisor\'s door)', async () => {
    const door = await open({ oneRequestPerConnection: true });
    const agent = new http.Agent({ keepAlive: true });
    const header = await new Promise<string | undefined>((resolve, reject) => {
      http.get(`${door.origin}/`, { agent }, (res) => {
        res.resume();
        resolve(res.headers.connection);
      }).on('error', reject);
    });
    agent.destroy();
    expect(header).toBe('close');
  });
});
