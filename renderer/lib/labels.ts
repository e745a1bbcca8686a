// Cashier-facing names and dates. The renderer may import only main/contract, so the method names
// repeat main/reports/labels.ts (the reports print the same «СБП» / «Долями»; keep the two in step).
const PAYMENT_TYPE_LABEL: Record<string, string> = { SBP: 'СБП', DOLYAME: 'Долями' };

/** «СБП» / «Долями»; an unknown method keeps its code (the provider may add one before we name it). */
export function paymentTypeLabel(type: string | null | undefined): string {
  return type ? (PAYMENT_TYPE_LABEL[type] ?? type) : '';
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Local date and time in Russian order, "30.11.2026 14:05:09"; text that is not a date passes through. */
export function localDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${pad(d.getDate())}.${pad(d.getMonth() + 1)}.${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
