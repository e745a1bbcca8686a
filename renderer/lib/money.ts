// Money on screen: integer kopecks in, "1 234,50 ₽" out. Input accepts "1234,5", "1234.50", "1 234".
export function formatKop(kop: number): string {
  const sign = kop < 0 ? '−' : '';
  const abs = Math.abs(kop);
  const rub = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
  return `${sign}${rub},${String(abs % 100).padStart(2, '0')}\u00a0₽`;
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
