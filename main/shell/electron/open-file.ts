// report.open in Electron: the exported report goes to the OS viewer (shell.openPath) — only files
// inside the exports folder, so the API can never be used to launch anything else.
import fs from 'node:fs';
import path from 'node:path';
import type { FileOpener } from '../../api/shift-api';

/** `openPath` is Electron's shell.openPath: '' on success, else the reason. */
export function electronFileOpener(openPath: (file: string) => Promise<string>, exportDir: string): FileOpener {
  return async (file) => {
    const root = fs.realpathSync(exportDir);
    const real = fs.realpathSync(file);
    if (!real.startsWith(root + path.sep) || !/\.(pdf|csv|txt)$/i.test(real)) throw new Error(`not an exported report: ${file}`);
    const problem = await openPath(real);
    if (problem !== '') throw new Error(`the system could not open ${path.basename(real)}: ${problem}`);
    return { url: null, opened: true };
  };
}
