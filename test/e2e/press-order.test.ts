// A press on a payment method sends the API request before the screen changes (docs/ui.md, "Press → wire"):
// the WebSocket frame of `sale.pay` leaves in the click's own task, and React's re-render (the live status)
// comes after it, so the page's rendering never sits between the cashier's press and the request. Real
// renderer in Debian Chromium against the real core; the page's WebSocket.send and a MutationObserver record
// the order. A DOM change made before the send is caught even though its observer record arrives later
// (takeRecords at the send).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCardBarcode } from '../../emulators/koshelek';
import { startTill, type Till } from './harness';

let till: Till;

beforeAll(async () => {
  till = await startTill({ serial: false, confirmDelayMs: 50 });
}, 60_000);
afterAll(async () => {
  await till?.close();
});

interface PressOrder { sends: { method: string; mutationsBefore: number }[] }

describe('press → request order in the renderer', () => {
  it('a method press sends sale.pay before any DOM change, by mouse and by its number key, three sales in a row', async () => {
    const { page } = till;
    await page.evaluate(() => {
      const w = window as unknown as { __press: { armed: boolean; mutations: number; sends: { method: string; mutationsBefore: number }[] } };
      w.__press = { armed: false, mutations: 0, sends: [] };
      const observer = new MutationObserver((records) => { if (w.__press.armed) w.__press.mutations += records.length; });
      observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
      const send = WebSocket.prototype.send;
      WebSocket.prototype.send = function patched(this: WebSocket, data: string | ArrayBufferLike | Blob | ArrayBufferView) {
        if (w.__press.armed && typeof data === 'string') {
          const method = (JSON.parse(data) as { method?: string }).method ?? '?';
          const pending = observer.takeRecords().length;
          w.__press.mutations += pending;
          w.__press.sends.push({ method, mutationsBefore: w.__press.mutations });
        }
        return send.call(this, data);
      };
      // Armed by the press itself (capture phase: before React's handler).
      const arm = (): void => { w.__press.armed = true; w.__press.mutations = 0; w.__press.sends = []; };
      document.addEventListener('click', arm, { capture: true });
      document.addEventListener('keydown', (e) => { if (/^[1-9]$/.test(e.key)) arm(); }, { capture: true });
    });
    for (const how of ['mouse', 'key', 'mouse'] as const) {
      await page.keyboard.press('F10');
      await page.getByTestId('amount').fill('123,45');
      await page.getByTestId('manual-code').fill(testCardBarcode('CH'));
      await page.getByTestId('manual-code').press('Enter');
      await page.getByTestId('card-kp').waitFor();
      await page.getByTestId('pay').click();
      await page.getByTestId('methods').waitFor();
      const method = page.getByTestId('method-SBP');
      await expect.poll(() => method.isEnabled(), { timeout: 5000 }).toBe(true);
      if (how === 'mouse') await method.click();
      else await page.keyboard.press(await method.getAttribute('data-key') as string);
      await page.getByTestId('result').waitFor({ timeout: 15_000 });
      const order = await page.evaluate(() => (window as unknown as { __press: PressOrder }).__press);
      await page.evaluate(() => { (window as unknown as { __press: { armed: boolean } }).__press.armed = false; });
      const pay = order.sends.find((s) => s.method === 'sale.pay');
      expect(pay, `${how}: sale.pay sent`).toBeDefined();
      expect(order.sends[0]?.method, `${how}: the first frame after the press`).toBe('sale.pay');
      expect(pay?.mutationsBefore, `${how}: DOM changes before the send`).toBe(0);
    }
  });
});
