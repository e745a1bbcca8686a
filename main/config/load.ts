// Reading paydesk.config.json: JSON syntax and schema problems become messages naming the file,
// the JSON path and the reason, so IT can fix a bad edit without guessing.
import fs from 'node:fs';
import path from 'node:path';
import { configSchema, type PaydeskConfig } from './schema';

export interface ConfigProblem {
  file: string;
  /** Dotted JSON path ("koshelek.timing.firstPollMs"), or "(file)" for syntax and I/O problems. */
  path: string;
  reason: string;
}

export type ConfigResult =
  | { ok: true; config: PaydeskConfig }
  | { ok: false; problems: ConfigProblem[] };

export function formatProblems(problems: readonly ConfigProblem[]): string {
  return problems.map((p) => `${p.file}: ${p.path}: ${p.reason}`).join('\n');
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

export function parseConfigText(text: string, file: string): ConfigResult {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    const where = position ? ` (${lineAndColumn(text, Number(position[1]))})` : '';
    return { ok: false, problems: [{ file, path: '(file)', reason: `invalid JSON${where}: ${jsonErrorWithoutText(message)}` }] };
  }
  const parsed = configSchema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({
        file,
        path: issue.path.length ? issue.path.map(String).join('.') : '(root)',
        reason: issue.message,
      })),
    };
  }
  // The schema drops keys it does not know, so a typo («storname», «baudrate») would silently leave
  // the default in force: an unknown key is an error, with the nearest known key as a hint.
  const unknown = unknownKeys(json, parsed.data);
  if (unknown.length > 0) {
    return { ok: false, problems: unknown.map((u) => ({ file, path: u.path, reason: u.suggestion ? `unknown key; did you mean "${u.suggestion}"?` : 'unknown key' })) };
  }
  return { ok: true, config: parsed.data };
}

/**
 * Node's JSON.parse messages quote the text around the fault ('Unexpected token', "…": the password
 * may be in it). Keep the kind of fault, never the file's content.
 */
export function jsonErrorWithoutText(message: string): string {
  return message
    .replace(/,?\s*".*"\s+is not valid JSON/s, '')
    .replace(/'(?:[^'\\]|\\.)*'/g, 'character')
    .replace(/"(?:[^"\\]|\\.)*"/g, '…')
    .trim() || 'syntax error';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Edit distance (insert, delete, substitute), case-insensitive: «baudrate» is one step from «baudRate». */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= y.length; j += 1) {
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (x[i - 1] === y[j - 1] ? 0 : 1)));
    }
    prev = row;
  }
  return prev[y.length] ?? 0;
}

/** Keys present in the file but absent from the parsed config (which holds every known key, with defaults). */
export function unknownKeys(raw: unknown, parsed: unknown, at: string[] = []): { path: string; suggestion: string | null }[] {
  if (Array.isArray(raw) && Array.isArray(parsed)) return raw.flatMap((item, i) => unknownKeys(item, parsed[i], [...at, String(i)]));
  if (!isObject(raw) || !isObject(parsed)) return [];
  const known = Object.keys(parsed);
  const found: { path: string; suggestion: string | null }[] = [];
  for (const key of Object.keys(raw)) {
    if (key === '$schema') continue;
    if (key in parsed) {
      found.push(...unknownKeys(raw[key], parsed[key], [...at, key]));
      continue;
    }
    const best = known.map((k) => ({ k, d: distance(key, k) })).sort((p, q) => p.d - q.d)[0];
    const suggestion = best && best.d <= Math.max(2, Math.floor(key.length / 3)) ? best.k : null;
    found.push({ path: [...at, key].join('.'), suggestion });
  }
  return found;
}

export function loadConfigFile(file: string): ConfigResult {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, problems: [{ file, path: '(file)', reason: code === 'ENOENT' ? 'file not found' : `cannot read: ${String(error)}` }] };
  }
  return parseConfigText(text, file);
}

/** The defaults as IT would write them: every knob visible, credentials empty (→ embedded emulator). */
export function defaultConfigText(): string {
  return `${JSON.stringify(configSchema.parse({}), null, 2)}\n`;
}

/** Create the config file with defaults when it does not exist yet (first start on a new till). */
export function ensureConfigFile(file: string): void {
  if (fs.existsSync(file)) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, defaultConfigText());
}

/** Write-then-rename, so a reader (our own watcher included) never sees half a file. */
export function writeFileAtomic(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(temp, 'w', 0o600); // may hold the Pay API password: never world-readable
  try {
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
}
