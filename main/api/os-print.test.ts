import { describe, expect, it } from 'vitest';
import { osPrintCommand, osPrintProblem, systemPrinter } from './os-print';

describe('printing a report on the OS printer', () => {
  it('uses lp on Linux/macOS and the Print verb on Windows; a file name is never taken for an option', () => {
    expect(osPrintCommand('/data/exports/-x.pdf', 'Z-отчёт №1', 'linux')).toEqual({ cmd: 'lp', args: ['-t', 'Z-отчёт №1', '--', '/data/exports/-x.pdf'] });
    const win = osPrintCommand("C:\\Paydesk\\exports\\it's.pdf", 'X', 'win32');
    expect(win.cmd).toBe('powershell.exe');
    expect(win.args.at(-1)).toContain("'C:\\Paydesk\\exports\\it''s.pdf'");
  });
  it('says what to do when there is no print service', () => {
    expect(osPrintProblem(Object.assign(new Error('spawn lp ENOENT'), { code: 'ENOENT' }), 'lp')).toContain('install CUPS');
  });
  it('a missing print command is an error, not a hang or a crash', async () => {
    const print = systemPrinter('linux', 2000);
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(print('/tmp/none.pdf', 'X')).rejects.toThrow(/lp not found/);
    } finally {
      process.env.PATH = saved;
    }
  });
});
