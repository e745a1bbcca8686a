// Hot-reloaded config. Editors save atomically (temp + rename), so we watch the directory, not the
// inode, debounce, re-read, validate, and swap. A bad edit is rejected with its problems and the
// last good config stays live. Work in flight keeps the snapshot it started with (callers take
// `current()` once per operation), so an edit never changes a payment midway.
import fs from 'node:fs';
import path from 'node:path';
import { SECRET_PATHS, type PaydeskConfig } from './schema';
import { loadConfigFile, type ConfigProblem } from './load';

export interface ConfigStatus {
  file: string;
  /** Problems of the last edit that was rejected; empty when the file on disk is the live config. */
  problems: ConfigProblem[];
  loadedAt: string;
  version: number;
  /** What the last accepted edit changed ("till.storeName: "А" → "Б""), secrets masked; for the log. */
  changes: string[];
}

type ChangeListener = (config: PaydeskConfig, previous: PaydeskConfig) => void;
type StatusListener = (status: ConfigStatus) => void;

export class LiveConfig {
  private config: PaydeskConfig;
  private status: ConfigStatus;
  private watcher: fs.FSWatcher | null = null;
  private debounce: NodeJS.Timeout | null = null;
  private lastSignature = '';
  private readonly changeListeners = new Set<ChangeListener>();
  private readonly statusListeners = new Set<StatusListener>();

  private constructor(readonly file: string, initial: PaydeskConfig) {
    this.config = initial;
    this.status = { file, problems: [], loadedAt: new Date().toISOString(), version: 1, changes: [] };
    this.lastSignature = this.signature();
  }

  /** Fails (throws with every problem listed) only at start, when there is no last good config. */
  static open(file: string): LiveConfig {
    const result = loadConfigFile(file);
    if (!result.ok) {
      throw new ConfigLoadError(result.problems);
    }
    return new LiveConfig(file, result.config);
  }

  static fromObject(file: string, config: PaydeskConfig): LiveConfig {
    return new LiveConfig(file, config);
  }

  current(): PaydeskConfig {
    return this.config;
  }

  getStatus(): ConfigStatus {
    return this.status;
  }

  onChange(listener: ChangeListener): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  onStatus(listener: StatusListener): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Start watching. `debounceMs` stays well under the 1 s the brief allows for an edit to apply. */
  watch(debounceMs = 75): void {
    if (this.watcher) return;
    const dir = path.dirname(this.file);
    const base = path.basename(this.file);
    this.watcher = fs.watch(dir, { persistent: false }, (_event, name) => {
      if (name === null || name === base) this.schedule(debounceMs);
    });
    // Some file systems (network shares, some editors' rename dances) miss inotify events.
    fs.watchFile(this.file, { interval: 400, persistent: false }, () => this.schedule(debounceMs));
  }

  close(): void {
    this.watcher?.close();
    this.watcher = null;
    fs.unwatchFile(this.file);
    if (this.debounce) clearTimeout(this.debounce);
  }

  /** Re-read now (also used by `config check` and tests). Returns the problems, if any. */
  reload(): ConfigProblem[] {
    const signature = this.signature();
    const result = loadConfigFile(this.file);
    if (!result.ok) {
      // A missing file in the middle of an atomic save is not an error worth showing; wait for the rename.
      if (result.problems.some((p) => p.reason === 'file not found')) return [];
      this.lastSignature = signature;
      this.setStatus(result.problems);
      return result.problems;
    }
    this.lastSignature = signature;
    const previous = this.config;
    this.config = result.config;
    this.setStatus([], describeChanges(previous, result.config));
    if (JSON.stringify(previous) !== JSON.stringify(result.config)) {
      for (const listener of this.changeListeners) listener(result.config, previous);
    }
    return [];
  }

  private schedule(debounceMs: number): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = null;
      if (this.signature() !== this.lastSignature) this.reload();
    }, debounceMs);
  }

  private signature(): string {
    try {
      const stat = fs.statSync(this.file);
      return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    } catch {
      return 'missing';
    }
  }

  private setStatus(problems: ConfigProblem[], changes: string[] = []): void {
    this.status = { file: this.file, problems, loadedAt: new Date().toISOString(), version: this.status.version + 1, changes };
    for (const listener of this.statusListeners) listener(this.status);
  }
}

export class ConfigLoadError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map((p) => `${p.file}: ${p.path}: ${p.reason}`).join('\n'));
    this.name = 'ConfigLoadError';
  }
}

const SECRET_PATTERNS = SECRET_PATHS.map((p) => new RegExp(`^${p.replace(/\./g, '\\.').replace(/\*/g, '[^.]+')}$`));
const isSecret = (path: string): boolean => SECRET_PATTERNS.some((re) => re.test(path));

function flatten(value: unknown, at: string, out: Map<string, string>): Map<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, at ? `${at}.${k}` : k, out);
  } else {
    out.set(at, JSON.stringify(value) ?? 'undefined');
  }
  return out;
}

/** One line per changed value, "path: old → new"; a secret only says that it changed. */
export function describeChanges(previous: PaydeskConfig, next: PaydeskConfig): string[] {
  const before = flatten(previous, '', new Map());
  const after = flatten(next, '', new Map());
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  return paths.filter((p) => before.get(p) !== after.get(p)).map((p) => (isSecret(p)
    ? `${p}: changed (secret, not shown)`
    : `${p}: ${before.get(p) ?? '(none)'} → ${after.get(p) ?? '(none)'}`));
}
