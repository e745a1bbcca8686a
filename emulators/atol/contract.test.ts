// The ATOL emulator against hand-written requests shaped like the documented example (providers.md §2.4),
// not our own mapper's output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAtolEmulator, type AtolEmulator } from './server';

let emu: AtolEmulator;
beforeAll(async () => {
  emu = await startAtolEmulator({ processingMs: 100 });
});
afterAll(async () => {
  await emu.close();
});

const post = async (path: string, body: unknown, token?: string): Promise<{ status: number; json: Record<string, unknown> }> => {
  const r = await fetch(`${emu.baseUrl}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json; charset=utf-8', ...(token ? { Token: token } : {}) }, body: JSON.stringify(body) });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
};
const get = async (path: string, token: string): Promise<{ status: number; json: Record<string, unknown> }> => {
  const r = await fetch(`${emu.baseUrl}${path}`, { headers: { Token: token } });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
};

const documented = (externalId: string): unknown => ({
  external_id: externalId,
  timestamp: '30.11.2026 12:00:00',
  service: { callback_url: 'https://example.org/cb' },
  ism_optional: false,
  receipt: {
    client: { email: 'client@example.org' },
    company: { email: 'shop@example.org', sno: 'osn', inn: '7707083893', payment_address: 'shop.example.org' },
    items: [{ name: 'Товар', price: 100.0, quantity: 1, measure: 0, sum: 100.0, payment_method: 'full_payment', payment_object: 1, vat: { type: 'vat22', sum: 18.03 } }],
    payments: [{ type: 1, sum: 100.0 }],
    vats: [{ type: 'vat22', sum: 18.03 }],
    total: 100.0,
    internet: false,
    cashier: 'Иванова',
  },
});

describe('ATOL Online v5 emulator contract', () => {
  it('token, sell, report wait → done, and a repeat of the external_id answers "already exists" with the same uuid', async () => {
    expect((await post('getToken', { login: 'emulator', pass: 'wrong' })).status).toBe(401);
    const { json: tok } = await post('getToken', { login: 'emulator', pass: 'emulator' });
    const token = String(tok.token);
    expect((await post('group-1/sell', documented('c-1'))).status).toBe(401);
    const first = await post('group-1/sell', documented('c-1'), token);
    expect(first).toMatchObject({ status: 200, json: { status: 'wait', error: null } });
    const uuid = String(first.json.uuid);
    expect((await get(`group-1/report/${uuid}`, token)).json.status).toBe('wait');
    await new Promise((r) => setTimeout(r, 150));
    const report = await get(`group-1/report/${uuid}`, token);
    expect(report.json).toMatchObject({ status: 'done', external_id: 'c-1', payload: { fiscal_document_number: expect.any(Number) } });
    const again = await post('group-1/sell', documented('c-1'), token);
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ uuid, error: { code: 10 } });
    expect(emu.documents().filter((d) => d.externalId === 'c-1')).toHaveLength(1);
  });

  it('refuses bodies that do not add up or miss required fields, and unknown groups, without creating documents', async () => {
    const token = String((await post('getToken', { login: 'emulator', pass: 'emulator' })).json.token);
    const before = emu.documents().length;
    const body = documented('c-2') as { receipt: { total: number } };
    expect((await post('group-1/sell', { ...body, receipt: { ...body.receipt, total: 99 } }, token)).status).toBe(400);
    expect((await post('group-1/sell', { external_id: 'c-3' }, token)).status).toBe(400);
    expect((await post('other-group/sell', documented('c-4'), token)).status).toBe(400);
    expect((await get('group-1/report/no-such-uuid', token)).status).toBe(404);
    expect(emu.documents().length).toBe(before);
  });
});

describe('ATOL emulator control API', () => {
  it('sets faults from another process and lists documents; a bad patch is refused', async () => {
    const set = await fetch(`${emu.url}/__emulator/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ failFirst: 1 }) });
    expect(await set.json()).toMatchObject({ failFirst: 1 });
    const token = String((await post('getToken', { login: 'emulator', pass: 'emulator' })).json.token);
    expect((await post('group-1/sell', documented('ctl-1'), token)).status).toBe(500);
    expect((await post('group-1/sell', documented('ctl-1'), token)).status).toBe(200);
    const bad = await fetch(`${emu.url}/__emulator/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ failFirst: -1, down: true }) });
    expect(bad.status).toBe(400);
    const listed = (await (await fetch(`${emu.url}/__emulator/documents`)).json()) as { external_id: string }[];
    expect(listed.filter((d) => d.external_id === 'ctl-1')).toHaveLength(1);
  });
});
