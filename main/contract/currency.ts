// Currencies in reports and on screen: amounts are integer minor units of their own currency (RUB
// kopecks, KZT tiyn, USD cents; every currency the till takes has 2 decimals), and amounts in two
// currencies are never added together (docs/reports.md "Currencies"). Pure: shared by the core's
// report outputs and the renderer.
import { z } from 'zod';

/** ISO 4217 alphabetic code, as operations.currency stores it. */
export const currencyCodeSchema = z.string().regex(/^[A-Z]{3}$/);

/**
 * The till's own currency: tender entries (cash, card terminal) are recorded in it, its section of a
 * report comes first and is always shown, and reports stored before currencies were recorded read as it.
 */
export const TILL_CURRENCY = 'RUB';

const SIGN: Readonly<Record<string, string>> = { RUB: '₽', KZT: '₸', USD: '$' };

/** The sign people read after an amount: ₽, ₸, $; another currency shows its code. */
export const currencySign = (currency: string): string => SIGN[currency] ?? currency;

/** "1 234,56 ₽" / "−1 234,56 ₸" / "12,34 $" for people; `plain` gives "1234.56" for machines (CSV, CLI). */
export function formatMinor(minor: number, currency: string, style: 'ru' | 'plain' = 'ru'): string {
  const negative = minor < 0;
  const abs = Math.abs(minor);
  const whole = Math.floor(abs / 100);
  const rest = String(abs % 100).padStart(2, '0');
  if (style === 'plain') return `${negative ? '-' : ''}${whole}.${rest}`;
  const grouped = String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
  return `${negative ? '−' : ''}${grouped},${rest}\u00a0${currencySign(currency)}`;
}

/** Sections order: the till's currency first, then the others alphabetically. */
export function compareCurrencies(a: string, b: string): number {
  if (a === b) return 0;
  if (a === TILL_CURRENCY) return -1;
  if (b === TILL_CURRENCY) return 1;
  return a < b ? -1 : 1;
}
