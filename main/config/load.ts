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
    return { ok: false, problems: [{ file, path: '(file)', reason: `invalid JSON${where}: ${message}` }] };
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
  return { ok: true, config: parsed.data };
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
