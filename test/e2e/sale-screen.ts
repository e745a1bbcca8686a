// A QR sale driven from the sale screen with the keyboard, as a cashier does it: F1 (the sale screen),
// F10 (a new sale), the amount typed, F9 (pay), then the chosen method's own key — optionally after the
// answer to the screen's question (its key too). Returns what the screen shows while the customer pays.
// Waits are on the page's state (locator waits, expect.poll), never on elapsed time.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** Generous bounds for a loaded 2-core machine: they only cap a wait on a condition. */
export const SCREEN_WAIT_MS = 20_000;

/** A cashier's gap between two typed keys. */
const HUMAN_KEY_GAP_MS = 200;

export interface ScreenSaleInput {
  /** What the cashier types into the amount field, e.g. "312" or "1500,50". */
  amount: string;
  /** The method id whose button is pressed (by its key). */
  method: string;
  /** The method button's text (asserted before it is pressed). */
  titleRu: string;
  /** An answer of the screen's question to press first (its test id suffix, e.g. "foreign"). */
  answer?: string;
}

export interface ScreenSale {
  /** The QR's payload (the payment link) as drawn on screen. */
  payload: string;
  /** The one line under the QR. */
  hint: string;
  /** Waits for «Оплачено» on the sale screen and the QR gone. */
  paid(): Promise<void>;
}

/** Press the key shown on a button (its `data-key`), as the cashier reads it off the screen. */
export async function pressKeyOf(page: Page, testId: string): Promise<string> {
  const button = page.getByTestId(testId);
  await expect.poll(() => button.isEnabled(), { timeout: SCREEN_WAIT_MS }).toBe(true);
  const key = await button.getAttribute('data-key');
  expect(key, `${testId} has a key`).toBeTruthy();
  await page.keyboard.press(key ?? '');
  return key ?? '';
}

/** What the pay panel shows, for a failure message. */
export async function screenState(page: Page): Promise<string> {
  return page.evaluate(() => {
    const q = (id: string): string | null => document.querySelector(`[data-testid="${id}"]`)?.textContent ?? null;
    const phase = document.querySelector('[data-testid="phase-text"]')?.getAttribute('data-phase') ?? null;
    return JSON.stringify({ next: q('next-step'), phase, phaseText: q('phase-text'), result: q('result-title'), error: q('error-panel'), methods: q('methods') });
  });
}

export async function saleOnScreen(page: Page, input: ScreenSaleInput): Promise<ScreenSale> {
  await page.keyboard.press('F1');
  await page.keyboard.press('F10');
  const amount = page.getByTestId('amount');
  await expect.poll(() => amount.isEnabled(), { timeout: SCREEN_WAIT_MS }).toBe(true);
  expect(await amount.inputValue()).toBe('');
  // At a person's pace (keys further apart than the config's wedge gap, 120 ms in the harness): a fast
  // burst is a barcode scanner's. A loaded machine only stretches the gaps, which keeps it typing.
  await page.keyboard.type(input.amount, { delay: HUMAN_KEY_GAP_MS });
  await expect.poll(() => amount.inputValue(), { timeout: SCREEN_WAIT_MS }).toBe(input.amount);
  await page.keyboard.press('F9');
  await page.getByTestId('methods').waitFor({ timeout: SCREEN_WAIT_MS });
  if (input.answer) await pressKeyOf(page, `method-answer-${input.answer}`);
  const button = page.getByTestId(`method-${input.method}`);
  await expect.poll(() => button.textContent(), { timeout: SCREEN_WAIT_MS }).toContain(input.titleRu);
  await pressKeyOf(page, `method-${input.method}`);
  const action = page.getByTestId('customer-action');
  await action.waitFor({ timeout: SCREEN_WAIT_MS }).catch(async (error: unknown) => {
    throw new Error(`no QR on the sale screen: ${String(error)}; screen: ${await screenState(page)}`);
  });
  await page.getByTestId('customer-qr').waitFor();
  const payload = await action.getAttribute('data-payload');
  expect(payload).toBeTruthy();
  const hint = (await page.getByTestId('customer-action-hint').textContent()) ?? '';
  return {
    payload: payload ?? '',
    hint,
    async paid() {
      await page.locator('[data-testid="result-title"]', { hasText: 'Оплачено' }).waitFor({ timeout: SCREEN_WAIT_MS });
      expect(await page.getByTestId('customer-action').count()).toBe(0);
    },
  };
}

/**
 * Makes the page see the race a busy renderer sees: the `sale.pay` answer is held until the operation's
 * first event with a QR arrives; then the answer is delivered and the QR event follows a few microtasks
 * later — after the screen handled the answer (its state update queued) but before React re-rendered.
 * On a loaded machine both WebSocket frames are simply queued together and this order happens by itself.
 * Installed before the page loads (init script); `window.__raceSeen` counts the races played.
 */
export async function interleavePayAnswerAndQrEvent(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __raceSeen: number };
    w.__raceSeen = 0;
    const payIds = new Set<number>();
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (this: WebSocket, data: string | ArrayBufferLike | Blob | ArrayBufferView) {
      if (typeof data === 'string') {
        const frame = JSON.parse(data) as { id?: number; method?: string };
        if (frame.method === 'sale.pay' && typeof frame.id === 'number') payIds.add(frame.id);
      }
      send.call(this, data);
    };
    const desc = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage');
    Object.defineProperty(WebSocket.prototype, 'onmessage', {
      configurable: true,
      get(this: WebSocket) { return desc?.get?.call(this) as unknown; },
      set(this: WebSocket, handler: ((ev: MessageEvent) => void) | null) {
        if (!handler) { desc?.set?.call(this, handler); return; }
        let held: MessageEvent | null = null;
        desc?.set?.call(this, (ev: MessageEvent) => {
          const frame = JSON.parse(String(ev.data)) as { id?: number | null; response?: unknown; event?: { event?: string; payload?: { customerAction?: unknown } } };
          if (typeof frame.id === 'number' && payIds.has(frame.id) && 'response' in frame) {
            payIds.delete(frame.id);
            held = ev;
            return;
          }
          if (held && frame.event?.event === 'operation' && frame.event.payload?.customerAction) {
            const answer = held;
            held = null;
            handler(answer);
            w.__raceSeen += 1;
            let hops = 0;
            const later = (): void => {
              if (++hops < 200) { queueMicrotask(later); return; }
              handler(ev);
            };
            queueMicrotask(later);
            return;
          }
          handler(ev);
        });
      },
    });
  });
}
