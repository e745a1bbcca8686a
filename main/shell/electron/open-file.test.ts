import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { electronFileOpener } from './open-file';

let dir = '';
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('electronFileOpener', () => {
  it('hands exported reports to the OS viewer and nothing else', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-open-'));
    const exports = path.join(dir, 'exports');
    fs.mkdirSync(exports);
    const report = path.join(exports, 'X-shift-1.pdf');
    fs.writeFileSync(report, '%PDF');
    const outside = path.join(dir, 'secret.pdf');
    fs.writeFileSync(outside, '%PDF');
    fs.symlinkSync(outside, path.join(exports, 'link.pdf'));
    fs.writeFileSync(path.join(exports, 'run.sh'), 'echo');
    const opened: string[] = [];
    const open = electronFileOpener((f) => {
      opened.push(f);
      return Promise.resolve('');
    }, exports);
    expect(await open(report)).toEqual({ url: null, opened: true });
    await expect(open(outside)).rejects.toThrow(/not an exported report/);
    await expect(open(path.join(exports, '..', 'secret.pdf'))).rejects.toThrow(/not an exported report/);
    await expect(open(path.join(exports, 'link.pdf'))).rejects.toThrow(/not an exported report/);
    await expect(open(path.join(exports, 'run.sh'))).rejects.toThrow(/not an exported report/);
    expect(opened).toEqual([fs.realpathSync(report)]);
    const failing = electronFileOpener(() => Promise.resolve('no application'), exports);
    await expect(failing(report)).rejects.toThrow(/no application/);
  });
});
