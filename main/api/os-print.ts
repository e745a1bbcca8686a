// Printing a report's PDF on an ordinary (A4) printer through the operating system's print service:
// CUPS `lp` on Linux and macOS, the shell's "Print" verb on Windows. The PDF is the same file the
// export writes, so a failed print still leaves the report on disk.
import { execFile } from 'node:child_process';

export interface OsPrintCommand { cmd: string; args: string[] }

export function osPrintCommand(file: string, title: string, platform: NodeJS.Platform): OsPrintCommand {
  if (platform === 'win32') {
    const quoted = file.replace(/'/g, "''");
    return { cmd: 'powershell.exe', args: ['-NoProfile', '-NonInteractive', '-Command', `Start-Process -FilePath '${quoted}' -Verb Print -WindowStyle Hidden`] };
  }
  return { cmd: 'lp', args: ['-t', title, '--', file] };
}

/** Why the OS print failed, for IT (the cashier sees the catalogue's print.failed line). */
export function osPrintProblem(error: Error & { code?: string | number | null; stderr?: string }, cmd: string): string {
  if (error.code === 'ENOENT') return `${cmd} not found: no system print service (install CUPS and set a default printer); the PDF is saved`;
  const stderr = (error.stderr ?? '').trim().split('\n').slice(-2).join(' ');
  return `${cmd} failed${stderr ? `: ${stderr}` : `: ${error.message}`}`;
}

export type OsPrinter = (file: string, title: string) => Promise<void>;

export function systemPrinter(platform: NodeJS.Platform = process.platform, timeoutMs = 20_000): OsPrinter {
  return (file, title) => new Promise((resolve, reject) => {
    const { cmd, args } = osPrintCommand(file, title, platform);
    execFile(cmd, args, { timeout: timeoutMs, windowsHide: true }, (error, _stdout, stderr) => {
      if (error) reject(new Error(osPrintProblem(Object.assign(error, { stderr: String(stderr) }), cmd)));
      else resolve();
    });
  });
}
