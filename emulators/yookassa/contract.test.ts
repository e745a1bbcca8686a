// The ЮKassa emulator against the documented example body (providers.md §2.2), written by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startYookassaEmulator, type YookassaEmulator } from './server';

let emu: YookassaEmulator;
beforeAll(async () => {
  emu = await startYookassaEmulator({ processingMs: 80 });
});
afterAll(async () => {
  await emu.close();
});

const auth = `Basic ${Buffer.from('shop-1:secret').toString('base64')}`;
const example = {
  customer: { email: 'user@example.com', phone: '79000000000' }, type: 'payment', payment_id: '24e89cb0-000f-5000-9000-1de77fa0d6df', send: true,
  items: [{ description: 'Товар', quantity: '1.00', amount: { value: '3000.00', currency: 'RUB' }, vat_code: 11, payment_mode: 'full_prepayment', payment_subject: 'commodity' }],
  tax_system_code: 1,
  settlements: [{ type: 'cashless', amount: { value: '3000.00', currency: 'RUB' } }],
};
const post = async (body: unknown, headers: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> => {
  const r = await fetch(`${emu.baseUrl}receipts`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
};

describe('ЮKassa receipts emulator contract', () => {
  it('Basic auth and an Idempotence-Key are required', async () => {
    expect((await post(example, { 'Idempotence-Key': 'k0' })).status).toBe(401);
    expect((await post(example, { Authorization: auth })).json).toMatchObject({ type: 'error', code: 'invalid_request', parameter: 'Idempotence-Key' });
  });

  it('same key + same body = the same receipt; same key + other body = 400; pending then succeeded', async () => {
    const a = await post(example, { Authorization: auth, 'Idempotence-Key': 'k1' });
    expect(a).toMatchObject({ status: 200, json: { type: 'payment', status: 'pending' } });
    const b = await post(example, { Authorization: auth, 'Idempotence-Key': 'k1' });
    expect(b.json.id).toBe(a.json.id);
    const other = await post({ ...example, tax_system_code: 2 }, { Authorization: auth, 'Idempotence-Key': 'k1' });
    expect(other.status).toBe(400);
    await new Promise((r) => setTimeout(r, 100));
    const read = await fetch(`${emu.baseUrl}receipts/${String(a.json.id)}`, { headers: { Authorization: auth } });
    expect(await read.json()).toMatchObject({ status: 'succeeded', fiscal_document_number: expect.any(String), fiscal_attribute: expect.any(String) });
    expect(emu.receipts()).toHaveLength(1);
  });

  it('202 processing carries retry_after in ms; settlements must match the items', async () => {
    emu.setFaults({ processingCount: 1, retryAfterMs: 1800 });
    expect(await post(example, { Authorization: auth, 'Idempotence-Key': 'k2' })).toMatchObject({ status: 202, json: { type: 'processing', retry_after: 1800 } });
    expect((await post(example, { Authorization: auth, 'Idempotence-Key': 'k2' })).status).toBe(200);
    const wrong = { ...example, settlements: [{ type: 'cashless', amount: { value: '1.00', currency: 'RUB' } }] };
    expect((await post(wrong, { Authorization: auth, 'Idempotence-Key': 'k3' })).json).toMatchObject({ code: 'invalid_request', parameter: 'settlements' });
    expect((await fetch(`${emu.baseUrl}receipts/nope`, { headers: { Authorization: auth } })).status).toBe(404);
  });
});

describe('ЮKassa emulator control API', () => {
  it('sets faults from another process and lists receipts with their keys', async () => {
    const set = await fetch(`${emu.url}/__emulator/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ failFirst: 1 }) });
    expect(set.status).toBe(200);
    expect((await post(example, { Authorization: auth, 'Idempotence-Key': 'ctl' })).status).toBe(500);
    expect((await post(example, { Authorization: auth, 'Idempotence-Key': 'ctl' })).status).toBe(200);
    const listed = (await (await fetch(`${emu.url}/__emulator/receipts`)).json()) as { idempotence_key: string }[];
    expect(listed.filter((r) => r.idempotence_key === 'ctl')).toHaveLength(1);
  });
});
