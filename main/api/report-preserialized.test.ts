// report.x over the API with the worker's checked text passed through the core unparsed (main/api/pre-serialized.ts):
// the window gets the same DTO as when the core parsed, checked and re-serialised it; a report that breaks the
// contract is refused in the worker with a clear error (not retried on the core); the core never parses the body.
import { asciiJson } from '../reports/checked-json';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { API_METHODS, shiftReportSchema } from '../contract/api';
import { generateShiftOperations, newLedger, rng } from '../shifts/fixtures';
import { startApiHarness, type ApiHarness } from '../../test/support/api-session';
import { PreSerialized, plainResponse, responseFrameJson } from './pre-serialized';

let harness: ApiHarness | null = null;
afterEach(async () => {
  vi.restoreAllMocks();
  await harness?.close();
  harness = null;
});

/** A till with an open shift of 400 generated operations (paid, rejected, cancelled, refunded). */
async function seeded(): Promise<ApiHarness> {
  harness = await startApiHarness();
  const opened = await harness.call('shift.open', { cashier: 'Менеджер' });
  generateShiftOperations(harness.till.core.journal.sqlite, opened.id, 400, rng(7), [], Date.parse(opened.openedAt), newLedger());
  return harness;
}

describe('report.x: the worker\'s checked text through the core unparsed', () => {
  it('answers the same DTO, frame for frame, as the core-thread path (in-process report, parsed by the contract)', async () => {
    const h = await seeded();
    const response = await h.session.dispatch('report.x', {});
    expect(response.ok).toBe(true);
    expect(response.ok && response.data).toBeInstanceOf(PreSerialized);
    const received = plainResponse(response);
    if (!received.ok) throw new Error('report.x failed');
    const x = shiftReportSchema.parse(received.data);
    expect(x.operations.length).toBe(400);
    // The old path: the report computed on the core and checked by the dispatcher with the contract's schema.
    const before = API_METHODS['report.x'].output.parse(h.till.core.shifts.xReport());
    const old = { ...before, generatedAt: x.generatedAt }; // the two reports were made at different instants
    expect(x).toEqual(old);
    // Byte for byte what the old dispatcher + JSON.stringify put on the wire, but for the head's Russian written as
    // \u escapes (checked-json.ts asciiJson: the same value, a one-byte text).
    expect(responseFrameJson(5, response)).toBe(asciiJson({ id: 5, response: { ok: true, data: old } }));
    // And any other answer is framed as before.
    const current = await h.session.dispatch('shift.current', {});
    expect(responseFrameJson(6, current)).toBe(JSON.stringify({ id: 6, response: current }));
  });

  it('never parses or re-checks the report body on the core thread', async () => {
    const h = await seeded();
    await h.session.dispatch('report.x', {}); // the worker is up; its own JSON / zod calls are on its thread
    const parse = vi.spyOn(JSON, 'parse');
    const stringify = vi.spyOn(JSON, 'stringify');
    const safeParse = vi.spyOn(shiftReportSchema, 'safeParse');
    const zodParse = vi.spyOn(shiftReportSchema, 'parse');
    const response = await h.session.dispatch('report.x', {});
    const frame = responseFrameJson(1, response);
    const big = (calls: unknown[][]): number => calls.filter(([arg]) => typeof arg === 'string' && arg.length > 10_000).length;
    expect(frame.length).toBeGreaterThan(10_000);
    expect(big(parse.mock.calls)).toBe(0);
    expect(stringify.mock.calls.filter(([arg]) => typeof arg === 'object' && arg !== null && 'operations' in arg).length).toBe(0);
    expect(safeParse).not.toHaveBeenCalled();
    expect(zodParse).not.toHaveBeenCalled();
    // The spy does see a parse of the body where one happens (the in-process reader).
    plainResponse(response);
    expect(big(parse.mock.calls)).toBe(1);
  });

  it('refuses a report that breaks the contract in the worker with a clear error, without retrying it on the core', async () => {
    const h = await seeded();
    const shifts = h.till.core.shifts;
    const real = shifts.xReportRequest.bind(shifts);
    // A request whose report cannot pass the contract: a provider id column without a key.
    vi.spyOn(shifts, 'xReportRequest').mockImplementation((id) => ({ ...real(id), refColumns: [{ key: '', label: 'ID' }] }));
    const inProcess = vi.spyOn(shifts, 'xReport');
    const response = await h.session.dispatch('report.x', {});
    expect(response.ok).toBe(false);
    if (response.ok) return;
    expect(response.error.key).toBe('internal.unexpected');
    expect(JSON.stringify(response.error)).toMatch(/report worker's X report broke the contract: refColumns\.0\.key/);
    expect(inProcess).not.toHaveBeenCalled();
    // The worker is still serving: the next good request is answered.
    vi.mocked(shifts.xReportRequest).mockRestore();
    expect((await h.call('report.x', {})).operations.length).toBe(400);
  });
});

describe('PreSerialized: the splice guard', () => {
  it('takes one JSON object text and refuses anything that would break the frame it is spliced into', () => {
    for (const ok of ['{}', '{"a":1}', '{"a":"}\n{"}']) expect(new PreSerialized(ok).json).toBe(ok);
    for (const bad of ['', '{', '}', '[{}]', ' {}', '{} ', '{}\n', 'null']) expect(() => new PreSerialized(bad)).toThrow(/not a JSON object text/);
  });
});
