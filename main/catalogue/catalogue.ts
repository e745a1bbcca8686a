// The local product catalogue: a small JSON or CSV file IT points the config at (catalogue.file).
// Read whole, validated with one zod schema per entry (measure and tax from the config's enums), kept
// in memory by code; reloaded when the config or the file changes. A bad file is refused with the
// reason and the last good list stays in force — the same rule as the config itself.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const catalogueItemSchema = z.object({
  /** PLU (1–6 digits, typed) or a product barcode (EAN-8 / EAN-13 / GTIN-14). */
  code: z.string().regex(/^\d{1,14}$/, 'code must be 1–14 digits'),
  name: z.string().trim().min(1).max(128),
  /** Price in kopecks; for KILOGRAM goods, per kilogram. */
  priceKop: z.number().int().positive().max(99_999_999_99),
  measure: z.string().min(1).default('PIECE'),
  tax: z.string().min(1).default('vat20'),
});
export type CatalogueItem = z.infer<typeof catalogueItemSchema>;

export interface CatalogueEnums {
  measures: readonly string[];
  taxes: readonly string[];
}

export type CatalogueLoad = { ok: true; items: Map<string, CatalogueItem> } | { ok: false; problems: string[] };

/** GS1 check digit (EAN-8, EAN-13, GTIN-14): a mistyped or misread code is never looked up. */
export function gs1CheckOk(code: string): boolean {
  if (!/^\d+$/.test(code) || ![8, 12, 13, 14].includes(code.length)) return false;
  const digits = code.split('').map(Number);
  const check = digits.pop() ?? -1;
  const sum = digits.reverse().reduce((s, d, i) => s + d * (i % 2 === 0 ? 3 : 1), 0);
  return (10 - (sum % 10)) % 10 === check;
}

/** A code the till will look up: a PLU (≤ 6 digits) or a barcode whose check digit is right. */
export function lookupable(code: string): boolean {
  return /^\d{1,6}$/.test(code) || gs1CheckOk(code);
}

/** CSV: header `code;name;priceKop;measure;tax` (`,` also accepted), UTF-8, optional BOM, quotes for `;` in names. */
function parseCsv(text: string): { rows: Record<string, string>[]; problems: string[] } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  const first = lines[0] ?? '';
  const sep = first.includes(';') ? ';' : ',';
  const split = (line: string): string[] => {
    const out: string[] = [];
    let cur = '';
    let quoted = false;
    for (let i = 0; i < line.length; i += 1) {
      const ch = line[i] ?? '';
      if (quoted) {
        if (ch === '"' && line[i + 1] === '"') { cur += '"'; i += 1; } else if (ch === '"') quoted = false; else cur += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === sep) { out.push(cur); cur = ''; } else cur += ch;
    }
    out.push(cur);
    return out.map((c) => c.trim());
  };
  const header = split(first);
  const missing = ['code', 'name', 'priceKop'].filter((h) => !header.includes(h));
  if (missing.length > 0) return { rows: [], problems: [`CSV header must name code${sep}name${sep}priceKop[${sep}measure${sep}tax]; missing: ${missing.join(', ')}`] };
  return { rows: lines.slice(1).map((l) => Object.fromEntries(split(l).map((v, i) => [header[i] ?? `col${i}`, v]))), problems: [] };
}

export function parseCatalogue(text: string, format: 'json' | 'csv', enums: CatalogueEnums): CatalogueLoad {
  let raw: unknown[];
  if (format === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return { ok: false, problems: [`invalid JSON: ${error instanceof Error ? error.message : String(error)}`] };
    }
    const list = Array.isArray(parsed) ? parsed : (parsed as { items?: unknown } | null)?.items;
    if (!Array.isArray(list)) return { ok: false, problems: ['expected a JSON array of items (or {"items": [...]})'] };
    raw = list;
  } else {
    const csv = parseCsv(text);
    if (csv.problems.length > 0) return { ok: false, problems: csv.problems };
    // Numbers arrive as text; an empty optional column means "use the default".
    raw = csv.rows.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== '').map(([k, v]) => [k, k === 'priceKop' && /^\d+$/.test(v) ? Number(v) : v])));
  }
  const items = new Map<string, CatalogueItem>();
  const problems: string[] = [];
  raw.forEach((entry, i) => {
    const where = format === 'csv' ? `line ${i + 2}` : `item ${i}`;
    const r = catalogueItemSchema.safeParse(entry);
    if (!r.success) {
      problems.push(`${where}: ${r.error.issues.map((x) => `${x.path.join('.') || 'item'}: ${x.message}`).join('; ')}`);
      return;
    }
    const item = r.data;
    if (!enums.measures.includes(item.measure)) problems.push(`${where}: measure "${item.measure}" is not one of koshelek.enums.measures`);
    else if (!enums.taxes.includes(item.tax)) problems.push(`${where}: tax "${item.tax}" is not one of koshelek.enums.taxes`);
    else if (item.code.length > 6 && !gs1CheckOk(item.code)) problems.push(`${where}: barcode ${item.code} has a wrong check digit`);
    else if (items.has(item.code)) problems.push(`${where}: code ${item.code} appears twice`);
    else items.set(item.code, item);
  });
  return problems.length > 0 ? { ok: false, problems: problems.slice(0, 20) } : { ok: true, items };
}

export interface CatalogueStatus {
  file: string | null;
  items: number;
  /** Why the last read was refused (the previous good list stays in force). */
  problems: string[];
}

const MAX_BYTES = 8 * 1024 * 1024;

/** The catalogue as the till uses it: lookups from memory, reloaded when the file or its config changes. */
export class Catalogue {
  private items = new Map<string, CatalogueItem>();
  private file: string | null = null;
  private problems: string[] = [];
  private signature = '';

  constructor(private readonly onProblem: (problems: string[], file: string) => void = () => undefined) {}

  /** (Re)reads `file` (absolute; null = no catalogue) unless it is unchanged since the last read. */
  refresh(file: string | null, enums: CatalogueEnums): void {
    if (file === null) {
      this.file = null;
      this.items = new Map();
      this.problems = [];
      this.signature = '';
      return;
    }
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch (error) {
      this.refuse(file, [`cannot read: ${error instanceof Error ? error.message : String(error)}`]);
      return;
    }
    const signature = JSON.stringify([file, stat.mtimeMs, stat.size, enums]);
    if (signature === this.signature) return;
    this.signature = signature;
    if (stat.size > MAX_BYTES) {
      this.refuse(file, [`file is ${stat.size} bytes; a till catalogue is at most ${MAX_BYTES}`]);
      return;
    }
    const result = parseCatalogue(fs.readFileSync(file, 'utf8'), path.extname(file).toLowerCase() === '.csv' ? 'csv' : 'json', enums);
    if (!result.ok) {
      this.refuse(file, result.problems);
      return;
    }
    if (this.file !== file) this.items = new Map();
    this.file = file;
    this.items = result.items;
    this.problems = [];
  }

  private refuse(file: string, problems: string[]): void {
    // A different file that cannot be read does not keep the old file's prices.
    if (this.file !== file) {
      this.items = new Map();
      this.file = file;
    }
    const changed = JSON.stringify(problems) !== JSON.stringify(this.problems);
    this.problems = problems;
    if (changed) this.onProblem(problems, file);
  }

  lookup(code: string): CatalogueItem | null {
    const c = code.trim();
    if (!lookupable(c)) return null;
    return this.items.get(c) ?? null;
  }

  status(): CatalogueStatus {
    return { file: this.file, items: this.items.size, problems: [...this.problems] };
  }
}
