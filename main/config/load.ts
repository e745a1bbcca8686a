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
  } catch {
    // Node's message quotes the file around the fault (an unquoted password would be in it, and its format
    // changes between Node versions): our own scanner names where and what, never the content.
    const body = text.replace(/^\uFEFF/, '');
    const fault = jsonSyntaxFault(body);
    return { ok: false, problems: [{ file, path: '(file)', reason: `invalid JSON (${lineAndColumn(body, fault.offset)}): ${fault.reason || 'syntax error'}` }] };
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
 * Where and what the first JSON syntax fault is, in words that never contain the file's text (RFC 8259's
 * grammar; the offset is where a reader should look). For text that JSON.parse accepts, reason is ''.
 */
export function jsonSyntaxFault(text: string): { offset: number; reason: string } {
  let i = 0;
  class Fault extends Error {
    constructor(readonly at: number, readonly why: string) { super(why); }
  }
  const ws = (): void => { while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i += 1; };
  const fail = (why: string): never => { throw new Fault(i, i >= text.length ? 'unexpected end of file' : why); };
  const expect = (ch: string, why: string): void => { if (text[i] !== ch) fail(why); i += 1; };
  const string = (): void => {
    expect('"', 'expected a quoted string (text values and keys need double quotes)');
    while (text[i] !== '"') {
      if (i >= text.length) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c < 0x20) fail('control character (e.g. a line break) inside a string');
      if (text[i] === '\\') {
        i += 1;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('invalid \\u escape in a string');
          i += 5;
          continue;
        }
        if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail('invalid escape in a string');
      }
      i += 1;
    }
    i += 1;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i += 1; ws();
      if (text[i] === '}') { i += 1; return; }
      for (;;) {
        ws(); string(); ws();
        expect(':', "expected ':' after a key");
        value(); ws();
        if (text[i] === ',') { i += 1; ws(); if (text[i] === '}') fail("a ',' before '}' (trailing comma)"); continue; }
        expect('}', "expected ',' or '}' after a value (a text value needs double quotes)");
        return;
      }
    }
    if (c === '[') {
      i += 1; ws();
      if (text[i] === ']') { i += 1; return; }
      for (;;) {
        value(); ws();
        if (text[i] === ',') { i += 1; ws(); if (text[i] === ']') fail("a ',' before ']' (trailing comma)"); continue; }
        expect(']', "expected ',' or ']' after a value");
        return;
      }
    }
    if (c === '"') { string(); return; }
    const literal = /^(true|false|null|-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?)/.exec(text.slice(i, i + 400));
    if (literal) { i += literal[0].length; return; }
    fail('unexpected character: expected a value (a text value needs double quotes)');
  };
  try {
    value(); ws();
    if (i < text.length) fail('unexpected text after the end of the JSON value');
    return { offset: i, reason: '' };
  } catch (error) {
    if (error instanceof Fault) return { offset: error.at, reason: error.why };
    throw error;
  }
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
  // A fresh install is a demo: Koshelek's environment defaults to "emulator", and the card terminal runs on
  // its embedded emulator (refused by the core in any other environment: docs/safety.md).
  return `${JSON.stringify(configSchema.parse({ terminal: { enabled: true, embeddedEmulator: true } }), null, 2)}\n`;
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
