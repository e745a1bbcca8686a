// The vendor bridge: config errors when the library is missing, and fake adapters that follow the
// contract working through the same TotpVerifier interface as the built-in verifier.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { composeBarcode } from '../../main/barcode/compose';
import { DEFAULT_TEST_CARD, totpConfigSchema } from '../../main/totp/config';
import { createTotpVerifier, type TotpVerifier } from '../../main/totp/index';
import { scannerConfigSchema } from '../../main/scanner/config';
import { createScanHub } from '../../main/scanner/hub';
import { mapVendorResult } from './loader';

const here = path.dirname(fileURLToPath(import.meta.url));
const fakeModule = path.join(here, 'fixtures', 'fake-vendor.mjs');
const fakeSidecar = path.join(here, 'fixtures', 'fake-sidecar.mjs');
const init = { keyHex: DEFAULT_TEST_CARD.keyHex };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-vendor-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const vendorConfig = (extra: Record<string, unknown>) => totpConfigSchema.parse({ verifier: 'vendor', vendorInit: init, ...extra });

describe('vendor selection errors', () => {
  it('names the problem when the library is missing or unusable', async () => {
    await expect(createTotpVerifier(vendorConfig({ vendorLibraryPath: path.join(tmp, 'nope.so') })))
      .rejects.toMatchObject({ key: 'totp.vendor_unavailable', details: expect.stringContaining('does not exist') });
    const so = path.join(tmp, 'libpasscode.so');
    fs.writeFileSync(so, 'ELF');
    await expect(createTotpVerifier(vendorConfig({ vendorLibraryPath: so })))
      .rejects.toMatchObject({ key: 'totp.vendor_unavailable', details: expect.stringContaining('adapter') });
    const bad = path.join(tmp, 'bad.mjs');
    fs.writeFileSync(bad, 'export const init = () => 0;');
    await expect(createTotpVerifier(vendorConfig({ vendorLibraryPath: bad })))
      .rejects.toMatchObject({ key: 'totp.vendor_unavailable', details: expect.stringContaining('barcodeVerify') });
    const data = path.join(tmp, 'data.bin');
    fs.writeFileSync(data, 'x');
    await expect(createTotpVerifier(vendorConfig({ vendorLibraryPath: data })))
      .rejects.toMatchObject({ details: expect.stringContaining('neither') });
    await expect(createTotpVerifier(totpConfigSchema.parse({ verifier: 'vendor', vendorLibraryPath: fakeModule })))
      .rejects.toMatchObject({ key: 'totp.vendor_unavailable', details: expect.stringContaining('init() failed') });
  });
});

describe.each([
  ['JS module adapter', () => vendorConfig({ vendorLibraryPath: fakeModule })],
  ['sidecar adapter', () => vendorConfig({ vendorLibraryPath: process.execPath, vendorArgs: [fakeSidecar] })],
])('%s', (_name, config) => {
  let verifier: TotpVerifier;
  afterAll(async () => { await verifier?.close(); });

  it('verifies through the same TotpVerifier interface and feeds the scan hub', async () => {
    verifier = await createTotpVerifier(config());
    expect(verifier.kind).toBe('vendor');
    const scanned = composeBarcode({ card: DEFAULT_TEST_CARD, cardNumber: '1234567890123', cardSession: 'OK0001', atMs: Date.now() });
    expect(await verifier.verifyBarcode(scanned)).toEqual({
      ok: true, prefix: 'KP', loyaltyId: '1234567890123', payToken: 'OK0001', totp: scanned.slice(-3), payReady: true, verified: true,
    });
    const plain = composeBarcode({ card: DEFAULT_TEST_CARD, cardNumber: '1234567890123', atMs: Date.now() });
    expect(await verifier.verifyBarcode(plain)).toMatchObject({ ok: true, payReady: false });
    expect(await verifier.verifyBarcode('XX1')).toMatchObject({ ok: false, reason: 'wrong_prefix', errorKey: 'barcode.wrong_prefix' });
    expect(await verifier.verifyBarcode('KP1')).toMatchObject({ ok: false, reason: 'bad_length' });
    expect(await verifier.getToken()).toMatch(/^[A-Za-z0-9+/]+={0,2}[0-9]{3}$/);

    const hub = createScanHub(scannerConfigSchema.parse({}), verifier);
    expect((await hub.submitWedge(scanned)).parsed).toMatchObject({ ok: true, payReady: true });
  });
});

describe('sidecar failure', () => {
  it('turns a crash into verifier_error and restarts on the next call', async () => {
    const verifier = await createTotpVerifier(vendorConfig({ vendorLibraryPath: process.execPath, vendorArgs: [fakeSidecar] }));
    expect(await verifier.verifyBarcode('CRASH')).toMatchObject({ ok: false, reason: 'verifier_error', errorKey: 'barcode.verifier_error' });
    // the next call restarts the sidecar and runs init() again before verifying
    const scanned = composeBarcode({ card: DEFAULT_TEST_CARD, cardNumber: '1234567890123', cardSession: 'OK0001', atMs: Date.now() });
    expect(await verifier.verifyBarcode(scanned)).toMatchObject({ ok: true, payReady: true });
    await verifier.close();
  });
});

describe('mapVendorResult', () => {
  it('maps the contract answers', () => {
    expect(mapVendorResult('{')).toMatchObject({ ok: false, reason: 'verifier_error' });
    expect(mapVendorResult({ resultCode: 'X' })).toMatchObject({ ok: false, reason: 'verifier_error' });
    expect(mapVendorResult({ resultCode: 'TOTP_EXPIRED', totpCodeValid: false })).toMatchObject({ ok: false, reason: 'totp_stale' });
    expect(mapVendorResult({ resultCode: 'SOMETHING_NEW', totpCodeValid: false })).toMatchObject({ ok: false, reason: 'totp_invalid' });
    expect(mapVendorResult({ resultCode: 'CARDSESSION_AVAILABLE', totpCodeValid: true, prefix: 'KP', cardNumber: '1', cardSession: null }))
      .toMatchObject({ ok: true, payReady: false });
  });
});
