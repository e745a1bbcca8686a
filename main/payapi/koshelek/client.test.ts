// The client against hand-made HTTP answers: unknown fields ignored, wrong shapes and non-JSON
// reported as invalid (never thrown), 422 bodies read, faults classified.
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { KoshelekClient } from './client';

let server: http.Server | null = null;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
});

async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<KoshelekClient> {
  server = http.createServer(handler);
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', () => r()));
  const address = server.address() as { port: number };
  return new KoshelekClient({ baseUrl: `http://127.0.0.1:${address.port}/p`, login: 'l', password: 'p', tokenProvider: { getToken: () => 'tok' }, requestTimeoutMs: 500, statusTimeoutMs: 300 });
}

const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
};

describe('Koshelek client', () => {
  it('ignores unknown fields (forward compatibility) and keeps unknown enum values as strings', async () => {
    const client = await serve((_req, res) => json(res, 200, { requestId: 'r', transactionId: 't', status: 'some_future_status', brandNewField: { x: 1 }, slip: { kzo: 12345, newSlipField: 'y' } }));
    const outcome = await client.status({ requestId: 'r', transactionId: 't' });
    expect(outcome.kind).toBe('ok');
    if (outcome.kind === 'ok') {
      expect(outcome.data.status).toBe('some_future_status');
      expect(outcome.data.slip?.kzo).toBe('12345');
      expect(outcome.data).not.toHaveProperty('brandNewField');
    }
    client.close();
  });

  it('sends Basic auth, JSON and the token only where the contract wants it', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    const client = await serve((req, res) => {
      seen.push(req.headers);
      json(res, 200, { requestId: 'r', transactionId: 't', status: 'new' });
    });
    await client.status({ requestId: 'r', transactionId: 't' });
    await client.checkout({ requestId: 'r', cardSession: 'OKAAAA', storeId: 's', terminalId: 't', checkoutInvoice: { orderId: 'o', totalAmount: 500, items: [{ name: 'n', article: 'a', price: 500, quantity: 1, totalAmount: 500, tax: 'none' }] }, user: { loyaltyId: 'l' }, paymentMethods: [{ type: 'SBP' }] });
    expect(seen[0]?.authorization).toBe(`Basic ${Buffer.from('l:p').toString('base64')}`);
    expect(seen[0]?.token).toBeUndefined();
    expect(seen[1]?.token).toBe('tok');
    expect(seen[1]?.['content-type']).toMatch(/application\/json/);
    client.close();
  });

  it('reports wrong shapes, non-JSON, 422 and other statuses as outcomes', async () => {
    const answers = [
      (res: http.ServerResponse) => json(res, 200, { status: 42 }),
      (res: http.ServerResponse) => { res.writeHead(200); res.end('<html>proxy error</html>'); },
      (res: http.ServerResponse) => json(res, 422, { code: 'UNKNOWN_SESSION_ID', details: 'Сессия не найдена' }),
      (res: http.ServerResponse) => json(res, 503, { error: 'down' }),
    ];
    let i = 0;
    const client = await serve((_req, res) => answers[i++]?.(res));
    const body = { requestId: 'r', storeId: 's', terminalId: 't', transactionId: 'x' };
    expect((await client.cancel(body)).kind).toBe('invalid_response');
    expect((await client.cancel(body)).kind).toBe('invalid_response');
    expect(await client.cancel(body)).toMatchObject({ kind: 'api_error', code: 'UNKNOWN_SESSION_ID', details: 'Сессия не найдена' });
    expect(await client.cancel(body)).toMatchObject({ kind: 'http_error', status: 503 });
    client.close();
  });

  it('classifies a timeout and a dropped connection as "maybe delivered", a refused one as not', async () => {
    const client = await serve((req) => {
      if (req.url?.includes('cancel')) req.socket.destroy();
      // status: never answers → timeout
    });
    const timeout = await client.status({ requestId: 'r', transactionId: 't' });
    expect(timeout).toMatchObject({ kind: 'no_answer', fault: 'timeout', maybeDelivered: true });
    const reset = await client.cancel({ requestId: 'r', storeId: 's', terminalId: 't', transactionId: 'x' });
    expect(reset).toMatchObject({ kind: 'no_answer', fault: 'reset', maybeDelivered: true });
    client.close();
    const refused = new KoshelekClient({ baseUrl: 'http://127.0.0.1:1/p', login: 'l', password: 'p', tokenProvider: { getToken: () => 't' }, requestTimeoutMs: 500, statusTimeoutMs: 300 });
    expect(await refused.status({ requestId: 'r', transactionId: 't' })).toMatchObject({ kind: 'no_answer', fault: 'refused', maybeDelivered: false });
    refused.close();
  });

  it('refuses a body over 64 KiB and over-long strings: no answer / invalid, never buffered or journaled', async () => {
    const client = await serve((req, res) => {
      if ((req.url ?? '').endsWith('/status')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ requestId: 'r', transactionId: 't', status: 'new', pad: 'x'.repeat(200_000) }));
      } else json(res, 200, { requestId: 'r', transactionId: 't', status: 'new', errorCode: 'E'.repeat(10_000) });
    });
    const huge = await client.status({ requestId: 'r', transactionId: 't' });
    expect(huge.kind).toBe('no_answer');
    const long = await client.checkout({
      requestId: 'r', cardSession: 'OK0001', storeId: 's', terminalId: 't', user: { loyaltyId: '1' }, paymentMethods: [{ type: 'SBP' }],
      checkoutInvoice: { orderId: 'o', totalAmount: 1000, items: [{ name: 'n', article: 'a', price: 1000, quantity: 1, totalAmount: 1000, tax: 'vat20' }] },
    });
    expect(long.kind).toBe('invalid_response');
    client.close();
  });
});
