// Money on screen: integer minor units in, "1 234,50 ₽" out (one formatter with the reports:
// main/contract/currency.ts). Input accepts "1234,5", "1234.50", "1 234".
import { formatMinor } from '../../main/contract/currency';

export { formatMinor };

export function formatKop(kop: number): string {
  return formatMinor(kop, 'RUB');
}

export function parseRublesToKop(text: string): number | null {
  const cleaned = text.replace(/[\s\u00a0₽]/g, '').replace(',', '.');
  if (!/^\d{1,8}(\.\d{0,2})?$/.test(cleaned)) return null;
  const [whole, frac = ''] = cleaned.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

/** Whole units of the line's measure (pieces, grams, millilitres…): the core refuses fractions. */
export function parseQuantity(text: string): number | null {
  const cleaned = text.replace(/\s/g, '');
  if (!/^\d{1,7}$/.test(cleaned)) return null;
  const value = Number(cleaned);
  return value > 0 ? value : null;
}

/** Line total the way the core computes it: price × quantity, rounded half up, minus discount. */
export function lineTotalKop(priceKop: number, quantity: number, discountKop = 0): number {
  return Math.round(priceKop * quantity) - discountKop;
}

/** Why an amount typed by the cashier is refused (null: acceptable or empty). Never turned into 0,00 ₽. */
export type AmountProblem = 'format' | 'zero' | 'negative' | 'fraction';
export function amountProblem(text: string): AmountProblem | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  if (/^[-−]/.test(trimmed)) return 'negative';
  const kop = parseRublesToKop(trimmed);
  if (kop === null) return /^[\d\s\u00a0]+[.,]\d{3,}$/.test(trimmed) ? 'fraction' : 'format';
  return kop === 0 ? 'zero' : null;
}

/** Above this the till asks the cashier to confirm the amount once (a typo of 3 extra zeros is common). */
export const LARGE_AMOUNT_KOP = 100_000_00;

/** Kilograms typed as "0,350", "0.5", "1" → whole grams; more than 3 decimals or zero is refused. */
export function parseKilogramsToGrams(text: string): number | null {
  const cleaned = text.replace(/[\s\u00a0]/g, '').replace(',', '.');
  const match = /^(\d{1,4})(?:\.(\d{1,3}))?$/.exec(cleaned);
  if (!match) return null;
  const grams = Number(match[1]) * 1000 + Number((match[2] ?? '').padEnd(3, '0'));
  return grams > 0 ? grams : null;
}

/**
 * A weighed line priced per kilogram, as the Pay API wants it: a whole number of grams (docs/ui.md,
 * "Weighed goods"). The per-gram price is the per-kg price rounded up to a kopeck and the rounding
 * goes back as the line's discount, so the line total is exactly per-kg price × weight (half up).
 */
export function weighedLine(pricePerKgKop: number, grams: number): { priceKop: number; quantity: number; discountKop: number; totalKop: number } {
  const priceKop = Math.ceil(pricePerKgKop / 1000);
  const totalKop = Math.round((pricePerKgKop * grams) / 1000);
  return { priceKop, quantity: grams, discountKop: priceKop * grams - totalKop, totalKop };
}

/** "0,350" from 350 g. */
export function formatKilograms(grams: number): string {
  return `${Math.floor(grams / 1000)},${String(grams % 1000).padStart(3, '0')}`;
}

/** Seconds with a decimal comma, "2,4". */
export function formatSeconds(ms: number): string {
  return (ms / 1000).toFixed(1).replace('.', ',');
}
