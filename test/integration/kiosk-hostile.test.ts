// Hostile requests to the kiosk shell's loopback server: none may throw inside the core's process (before
// the fix, GET /%E0%A4%A and GET /a%00.js killed it with every payment in it). Raw sockets, not fetch, so
// the bytes are exactly what an attacker sends.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiSession } from '../../main/api/session';
import { startKioskServer, type KioskServer } from '../../main/shell/kiosk/server';
import { resolveStaticPath } from '../../main/shell/static-files';
import { tempDir } from '../support/till';

let server: KioskServer;
let root: string;
const session: ApiSession = {
  dispatch: () => Promise.reject(new Error('a broken handler')),
  status: () => { throw new Error('unused'); },
  subscribe: () => () => undefined,
  close: () => Promise.resolve(),
};

beforeAll(async () => {
  const dir = tempDir('paydesk-kiosk-');
  root = path.join(dir, 'renderer');
  fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>till</title>');
  fs.writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'the config');
  server = await startKioskServer({ session, rendererDir: root, token: 't'.repeat(43) });
});
afterAll(async () => {
  await server.close();
});

function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, '127.0.0.1', () => socket.write(request));
    let data = '';
    socket.on('data', (chunk) => { data += chunk.toString('latin1'); });
    socket.on('end', () => resolve(data));
    socket.on('error', (error) => (data ? resolve(data) : reject(error)));
    socket.setTimeout(3_000, () => { socket.destroy(); resolve(data); });
  });
}

const get = (target: string) => raw(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: close\r\n\r\n`);
const statusOf = (response: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);

describe('kiosk server under hostile requests', () => {
  const hostile = [
    '/%E0%A4%A', '/a%00.js', '/%00', '/assets/%FF%FE.js', '/..%2f..%2fsecret.txt', '/%2e%2e/secret.txt', '/assets/..%5c..%5csecret.txt',
    `/${'a'.repeat(5000)}.js`, '/%', '/%%32%65', '//etc/passwd', '/assets/app.js%00.png',
  ];
  for (const target of hostile) {
    it(`GET ${target.length > 40 ? `${target.slice(0, 40)}…` : target} is answered, never thrown`, async () => {
      const response = await get(target);
      expect(statusOf(response)).toBeGreaterThanOrEqual(200);
      expect(response).not.toContain('the config');
      // Still alive and serving.
      expect(statusOf(await get('/assets/app.js'))).toBe(200);
    });
  }

  it('a malformed request line and a broken handler do not take the process down', async () => {
    const response = await raw('GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(response === '' || statusOf(response) >= 400).toBe(true);
    expect(statusOf(await get('/'))).toBe(200);
  });

  it('the resolver keeps every path inside the renderer folder', () => {
    expect(resolveStaticPath(root, '/%E0%A4%A')).toBeNull();
    expect(resolveStaticPath(root, '/a%00.js')).toBeNull();
    expect(resolveStaticPath(root, '/..%2f..%2fsecret.txt')).toBeNull();
    expect(resolveStaticPath(root, '/sale', true)).toBe(path.join(root, 'index.html'));
    expect(resolveStaticPath(root, '/assets/app.js')).toBe(path.join(root, 'assets', 'app.js'));
  });
});
