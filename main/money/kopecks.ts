// Money is integer kopecks end to end. These are the only places where text becomes money and back.

export type Kopecks = number & { readonly __kopecks?: unique symbol };

/** Largest amount Koshelek accepts: 10 digits of kopecks. */
export const MAX_KOPECKS = 9_999_999_999;

export function isKopecks(value: unknown): value is Kopecks {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_KOPECKS;
}

/**
 * Parse a rouble amount typed by a person ("150", "150.5", "150,50", "1 234,56") into kopecks
 * without ever going through a float. Returns null when the text is not a valid amount.
 */
export function parseRoubles(text: string): Kopecks | null {
  const cleaned = text.trim().replace(/[\s\u00a0]/g, '').replace(',', '.');
  const match = /^(\d{1,8})(?:\.(\d{1,2}))?$/.exec(cleaned);
  if (!match) return null;
  const roubles = Number(match[1]);
  const fraction = (match[2] ?? '').padEnd(2, '0');
  const kopecks = roubles * 100 + Number(fraction);
  return isKopecks(kopecks) ? (kopecks as Kopecks) : null;
}

/** "1 234,56 ₽"-style text for people; `plain` gives "1234.56" for machines (CSV, CLI). */
export function formatKopecks(kop: number, style: 'ru' | 'plain' = 'ru'): string {
  const negative = kop < 0;
  const abs = Math.abs(kop);
  const roubles = Math.floor(abs / 100);
  const rest = String(abs % 100).padStart(2, '0');
  if (style === 'plain') return `${negative ? '-' : ''}${roubles}.${rest}`;
  const grouped = String(roubles).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
  return `${negative ? '−' : ''}${grouped},${rest}\u00a0₽`;
}
