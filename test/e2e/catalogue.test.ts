// The local product catalogue end to end (Chromium → kiosk shell → core → emulator): configured by a
// live config edit, a product EAN-13 from the serial scanner or the keyboard wedge adds its line, a
// PLU typed in the item name field adds its line (weighed goods wait for the weight), unknown codes are
// refused with a message, and a broken catalogue edit keeps the last good prices.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCardBarcode, type ReceivedRequest } from '../../emulators/koshelek';
import { startTill, type Till } from './harness';

let till: Till;
beforeAll(async () => {
  till = await startTill({ confirmDelayMs: 300 });
});
afterAll(async () => {
  await till?.close();
});

const WATER = '4600682000013';
const PENCIL = '4006381333931';
const norm = (s: string | null): string => (s ?? '').replace(/\s/g, ' ');
const rows = async (): Promise<string[]> => (await till.page.getByTestId('line-row').allTextContents()).map(norm);

function writeCatalogue(items: unknown): void {
  const file = path.join(till.dir, 'catalogue.json');
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(items));
  fs.renameSync(`${file}.tmp`, file);
}

async function newSale(): Promise<void> {
  await till.page.keyboard.press('F1');
  await till.page.keyboard.press('F10');
  await till.page.getByTestId('card').filter({ hasText: 'Отсканируйте' }).waitFor();
}

describe('product catalogue', () => {
  it('without a catalogue a product barcode is refused as before; configured live, scans and PLUs add lines and the sale is paid', async () => {
    const { page } = till;
    await newSale();
    till.serialScan(WATER);
    await page.getByTestId('error-panel').waitFor({ timeout: 5000 });
    expect(await page.getByTestId('error-panel').getAttribute('data-error-key')).toBe('barcode.wrong_prefix');
    expect(await page.getByTestId('line-row').count()).toBe(0);
    await page.getByTestId('error-action').click();

    writeCatalogue([
      { code: WATER, name: 'Вода питьевая 0,5 л', priceKop: 5990, measure: 'PIECE', tax: 'vat20' },
      { code: '101', name: 'Яблоки', priceKop: 12990, measure: 'KILOGRAM', tax: 'vat10' },
    ]);
    const config = JSON.parse(fs.readFileSync(till.configFile, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(till.configFile, `${JSON.stringify({ ...config, catalogue: { file: 'catalogue.json' } }, null, 2)}\n`);
    await expect.poll(() => till.shell.core.config.current().catalogue.file, { timeout: 5000 }).toBe('catalogue.json');

    await newSale();
    till.serialScan(WATER);
    await expect.poll(rows, { timeout: 5000 }).toHaveLength(1);
    expect((await rows())[0]).toContain('Вода питьевая 0,5 л');
    expect((await rows())[0]).toContain('59,90');
    await till.wedgeScan(WATER);
    await expect.poll(rows, { timeout: 5000 }).toHaveLength(2);

    // PLU typed in the item name field; apples are sold by weight: the form waits for it.
    await page.getByTestId('line-name').fill('101');
    await page.getByTestId('line-name').press('Enter');
    await expect.poll(() => page.getByTestId('line-name').inputValue()).toBe('Яблоки');
    expect(await page.getByTestId('line-price').inputValue()).toBe('129,90');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('line-qty');
    await page.keyboard.type('0,5');
    await page.keyboard.press('F5');
    await expect.poll(rows).toHaveLength(3);
    expect((await rows())[2]).toContain('Яблоки');
    expect(norm(await page.getByTestId('total').textContent())).toContain('184,75');

    // Unknown PLU: said so, nothing added; a product barcode not in the catalogue: the scanner's refusal.
    await page.getByTestId('line-name').fill('999');
    await page.keyboard.press('F5');
    await expect.poll(() => page.getByTestId('line-error').textContent()).toContain('В каталоге нет товара с кодом 999');
    await page.getByTestId('line-name').fill('');
    till.serialScan(PENCIL);
    await page.getByTestId('error-panel').waitFor({ timeout: 5000 });
    expect(await rows()).toHaveLength(3);
    await page.getByTestId('error-action').click();
    await till.screenshot('catalogue-01-basket');

    const card = testCardBarcode('OK');
    till.serialScan(card);
    await page.getByTestId('card-kp').waitFor({ timeout: 5000 });
    await page.keyboard.press('F9');
    await page.getByTestId('result').waitFor({ timeout: 10_000 });
    const checkout = till.emulator.received.filter((r: ReceivedRequest) => r.endpoint === 'checkout').pop();
    const invoice = (checkout?.body as { checkoutInvoice?: { totalAmount: number; items: { name: string; price: number; quantity: number; tax: string; measure: string }[] } }).checkoutInvoice;
    expect(invoice?.totalAmount).toBe(18475);
    expect(invoice?.items.map((i) => [i.name, i.tax])).toEqual([['Вода питьевая 0,5 л', 'vat20'], ['Вода питьевая 0,5 л', 'vat20'], ['Яблоки', 'vat10']]);
  });

  it('a catalogue edit applies to the next scan; a broken edit keeps the last good prices', async () => {
    writeCatalogue([{ code: WATER, name: 'Вода питьевая 0,5 л', priceKop: 6490, measure: 'PIECE', tax: 'vat20' }]);
    await newSale();
    till.serialScan(WATER);
    await expect.poll(rows, { timeout: 5000 }).toHaveLength(1);
    expect((await rows())[0]).toContain('64,90');
    fs.writeFileSync(path.join(till.dir, 'catalogue.json'), '[{"code": "4600682000013", "name": "Вода", "priceKop": "дёшево"}]');
    till.serialScan(WATER);
    await expect.poll(rows, { timeout: 5000 }).toHaveLength(2);
    expect((await rows())[1]).toContain('64,90');
  });
});
