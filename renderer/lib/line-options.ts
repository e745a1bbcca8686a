// The tax and measure choices of a sale line, from the till's config (`sale.catalogue`). Pure.

/**
 * The till's own choice for weighed goods priced per kilogram: the cashier types kilograms with a decimal
 * comma and the line goes out in grams (money.ts weighedLine), so it is offered only where GRAM is allowed.
 */
export const WEIGHED = 'KG';

/**
 * Select values in config order. KILOGRAM becomes the weighed choice when GRAM is allowed too (a whole
 * number of kilograms is rarely what a cashier means); with GRAM alone the weighed choice follows GRAM.
 */
export function measureOptions(measures: readonly string[]): string[] {
  const grams = measures.includes('GRAM');
  const out: string[] = [];
  for (const m of measures) {
    if (m === 'KILOGRAM' && grams) out.push(WEIGHED);
    else out.push(m);
    if (m === 'GRAM' && !measures.includes('KILOGRAM')) out.push(WEIGHED);
  }
  return [...new Set(out)];
}

/** The preferred value when the config allows it, else the first allowed one (the preferred one while none is known). */
export function preferredOf(options: readonly string[], preferred: string): string {
  return options.length === 0 || options.includes(preferred) ? preferred : (options[0] ?? preferred);
}
