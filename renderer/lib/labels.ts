// Cashier-facing names and dates. The sale, slip, refund and journal screens name methods by the
// registry's titles (methods.ts methodTitle). paymentTypeLabel is the shift report's: it repeats
// main/reports/labels.ts, which the printed X / Z use (keep the two in step).
const PAYMENT_TYPE_LABEL: Record<string, string> = { SBP: 'СБП', DOLYAME: 'Долями' };

/** «СБП» / «Долями»; an unknown method keeps its code (the provider may add one before we name it). */
export function paymentTypeLabel(type: string | null | undefined): string {
  return type ? (PAYMENT_TYPE_LABEL[type] ?? type) : '';
}

type Both = { ru: string; en: string };
/** Names of the tax codes a config may list (`sale.catalogue`); which ones are offered is the config's choice. */
const TAX_LABEL: Record<string, Both> = {
  vat20: { ru: 'НДС 20%', en: 'VAT 20%' }, vat10: { ru: 'НДС 10%', en: 'VAT 10%' }, vat0: { ru: 'НДС 0%', en: 'VAT 0%' },
  none: { ru: 'без НДС', en: 'no VAT' }, vat120: { ru: 'НДС 20/120', en: 'VAT 20/120' }, vat110: { ru: 'НДС 10/110', en: 'VAT 10/110' },
};
/** Short names of the measure codes; 'KG' is the till's weighed choice (line-options.ts). */
const MEASURE_LABEL: Record<string, Both> = {
  PIECE: { ru: 'шт', en: 'pcs' }, KG: { ru: 'кг (весовой)', en: 'kg (weighed)' }, GRAM: { ru: 'г', en: 'g' }, KILOGRAM: { ru: 'кг', en: 'kg' },
  TON: { ru: 'т', en: 't' }, CENTIMETER: { ru: 'см', en: 'cm' }, DECIMETER: { ru: 'дм', en: 'dm' }, METER: { ru: 'м', en: 'm' },
  SQUARE_CENTIMETER: { ru: 'см²', en: 'cm²' }, SQUARE_DECIMETER: { ru: 'дм²', en: 'dm²' }, SQUARE_METER: { ru: 'м²', en: 'm²' },
  MILLILITER: { ru: 'мл', en: 'ml' }, LITER: { ru: 'л', en: 'l' }, CUBIC_METER: { ru: 'м³', en: 'm³' },
  KILOWATT_HOUR: { ru: 'кВт·ч', en: 'kWh' }, GIGACALORIE: { ru: 'Гкал', en: 'Gcal' },
  DAY: { ru: 'сут', en: 'day' }, HOUR: { ru: 'ч', en: 'h' }, MINUTE: { ru: 'мин', en: 'min' }, SECOND: { ru: 'с', en: 's' },
  KILOBYTE: { ru: 'Кбайт', en: 'KB' }, MEGABYTE: { ru: 'Мбайт', en: 'MB' }, GIGABYTE: { ru: 'Гбайт', en: 'GB' }, TERABYTE: { ru: 'Тбайт', en: 'TB' },
  OTHER: { ru: 'ед.', en: 'unit' },
};

/** «НДС 20%»; a code the till has no name for is shown as it is. */
export function taxLabel(code: string | null | undefined, lang: 'ru' | 'en'): string {
  return code ? (TAX_LABEL[code]?.[lang] ?? code) : '';
}

/** «шт», «кг (весовой)»; a code the till has no name for is shown as it is. */
export function measureLabel(code: string | null | undefined, lang: 'ru' | 'en'): string {
  return code ? (MEASURE_LABEL[code]?.[lang] ?? code) : '';
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Local date and time in Russian order, "30.11.2026 14:05:09"; text that is not a date passes through. */
export function localDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${pad(d.getDate())}.${pad(d.getMonth() + 1)}.${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
