// File permissions of the till's data (docs/security.md): the data folder 0700, config/journal/logs 0600.
// Files the till creates are made private; a config IT left readable by group/others is reported (and
// refused in production by main/core/connection.ts). POSIX only: Windows ACLs are left to the installer.
import fs from 'node:fs';
import path from 'node:path';

const POSIX = process.platform !== 'win32';

/** Creates the folder 0700, or narrows an existing one we own to 0700. */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!POSIX) return;
  const stat = fs.statSync(dir);
  if ((stat.mode & 0o077) !== 0 && stat.uid === process.getuid?.()) fs.chmodSync(dir, 0o700);
}

/**
 * Creates the file 0600 when missing (empty), or narrows an existing one we own to 0600. An existing file is
 * never opened: closing any descriptor of a file drops this process's POSIX locks on it, and SQLite's WAL
 * locks would go with it (another process could then truncate the shared-memory file: SIGBUS).
 */
export function ensurePrivateFile(file: string): void {
  ensurePrivateDir(path.dirname(file));
  if (!fs.existsSync(file)) fs.closeSync(fs.openSync(file, 'a', 0o600));
  if (!POSIX) return;
  const stat = fs.statSync(file);
  if ((stat.mode & 0o077) !== 0 && stat.uid === process.getuid?.()) fs.chmodSync(file, 0o600);
}

/** Makes the journal's files private (the database, and its WAL/shared-memory files when present). */
export function privateJournalFiles(dbFile: string): void {
  ensurePrivateFile(dbFile);
  for (const suffix of ['-wal', '-shm']) {
    const f = `${dbFile}${suffix}`;
    if (fs.existsSync(f)) ensurePrivateFile(f);
  }
}

/** Whether the config can be read by the group or by others (it may hold the Pay API password). */
export function configExposed(file: string): boolean {
  if (!POSIX) return false;
  try {
    return (fs.statSync(file).mode & 0o044) !== 0;
  } catch {
    return false;
  }
}
