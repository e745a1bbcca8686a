// Reports stored before the provider-neutral core (issue 11): Z bodies and X snapshots written by the
// previous release carry the two slip ids of the only provider of the time as line fields, call the
// reconciliation's remote side `koshelek`, and a compact Z (format 3) hashed those two ids as
// report_operations columns. This file is that frozen history, read-only: nothing new is written in
// these shapes, and no provider knowledge lives here beyond what old bodies contain. Reports stored
// before currencies (one set of totals) are upgraded here too.
// docs/reports.md "Reports stored before refs".
import { TILL_CURRENCY } from '../contract/currency';
import type { RefColumn } from './model';

/** Line fields of old reports that are slip refs now, under the same key (in their old column order). */
export const LEGACY_LINE_REF_FIELDS: readonly string[] = ['qrcId', 'kzo'];

/** The id columns old reports printed, with the headers they printed (a body without refColumns shows these). */
export const LEGACY_REF_COLUMNS: readonly RefColumn[] = LEGACY_LINE_REF_FIELDS.map((key) => ({ key, label: key }));

/** The reconciliation item's old name for what the provider said. */
const LEGACY_REMOTE_FIELD = 'koshelek';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An old line's id fields moved into `refs` (null / empty left out); a line that has `refs` is returned as is. */
export function upgradeLegacyLine(value: unknown): unknown {
  if (!isObject(value) || 'refs' in value) return value;
  const refs: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (LEGACY_LINE_REF_FIELDS.includes(key)) {
      if (v !== null && v !== undefined && v !== '') refs[key] = v;
    } else rest[key] = v;
  }
  return { ...rest, refs };
}

/** A reconciliation difference with the old remote field name renamed to `provider`. */
export function upgradeLegacyDifference(value: unknown): unknown {
  if (!isObject(value) || 'provider' in value || !(LEGACY_REMOTE_FIELD in value)) return value;
  const { [LEGACY_REMOTE_FIELD]: remote, ...rest } = value;
  return { ...rest, provider: remote };
}

/** The totals fields of reports stored before currencies (one set, all currencies added up). */
const LEGACY_TOTALS_FIELDS = ['byKind', 'byPaymentType', 'crossShiftRefunds', 'tenders', 'totals'] as const;

/**
 * A report stored before currencies: its one set of totals becomes the till currency's section (it was
 * printed in ₽ whatever the operations' currencies were; a compact Z's totals are checked the same way,
 * z-store.ts), and its lines, which had no currency, are in the till's currency.
 */
function upgradeCurrencies(out: Record<string, unknown>): void {
  if ('currencies' in out || !('byKind' in out)) return;
  const section: Record<string, unknown> = { currency: TILL_CURRENCY };
  for (const key of LEGACY_TOTALS_FIELDS) {
    section[key] = out[key];
    delete out[key];
  }
  out.currencies = [section];
  if (Array.isArray(out.operations)) out.operations = out.operations.map((l: unknown) => (isObject(l) && !('currency' in l) ? { ...l, currency: TILL_CURRENCY } : l));
}

/**
 * A stored report (whole or a compact head) as the current schema expects it: legacy lines and
 * differences upgraded, and fields added since given their «not recorded» values. Unknown shapes are
 * returned untouched for the schema to refuse.
 */
export function upgradeStoredReport(value: unknown): unknown {
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = { ...value };
  if (!('refColumns' in out)) out.refColumns = LEGACY_REF_COLUMNS.map((c) => ({ ...c }));
  if (!('environment' in out)) out.environment = null;
  if (!('tenderVoids' in out)) out.tenderVoids = [];
  if (Array.isArray(out.operations)) out.operations = out.operations.map(upgradeLegacyLine);
  upgradeCurrencies(out);
  const rec = out.reconciliation;
  if (isObject(rec) && Array.isArray(rec.differences)) out.reconciliation = { ...rec, differences: rec.differences.map(upgradeLegacyDifference) };
  return out;
}

/**
 * The SQL expressions that stood for the old slip id columns in a format-3 cover, read from
 * slip_refs_json now (the migration moved the values there unchanged; an unreadable refs text reads
 * as NULL, so the Z is refused rather than shown).
 */
export function legacyCoverRefColumns(): string {
  return LEGACY_LINE_REF_FIELDS
    .map((key) => `CASE WHEN json_valid(slip_refs_json) THEN json_extract(slip_refs_json, '$."${key}"') END`)
    .join(', ');
}
