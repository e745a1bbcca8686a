import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfigText, parseConfigText, writeFileAtomic } from './load';
import { ConfigLoadError, LiveConfig } from './live';

const dirs: string[] = [];
const live: LiveConfig[] = [];
afterEach(() => {
  for (const l of live.splice(0)) l.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function setup(): { file: string; config: LiveConfig } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-config-'));
  dirs.push(dir);
  const file = path.join(dir, 'paydesk.config.json');
  fs.writeFileSync(file, defaultConfigText());
  const config = LiveConfig.open(file);
  config.watch();
  live.push(config);
  return { file, config };
}

function edit(file: string, mutate: (json: Record<string, Record<string, unknown>>) => void): void {
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>;
  mutate(json);
  writeFileAtomic(file, JSON.stringify(json, null, 2));
}

async function eventually(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('config file', () => {
  it('defaults are complete and valid; no credentials means the embedded emulator', () => {
    const result = parseConfigText(defaultConfigText(), 'x.json');
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.config.koshelek.login).toBe('');
      expect(result.config.koshelek.timing.firstPollMs).toBeGreaterThanOrEqual(250);
      expect(result.config.koshelek.timing.finalStatusTimeoutMs).toBe(30_000);
    }
  });

  it('a syntax error names the file, the line and the column', () => {
    const result = parseConfigText('{\n  "till": {\n    "terminalId": "A",,\n  }\n}', '/etc/paydesk.config.json');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems[0]?.file).toBe('/etc/paydesk.config.json');
      expect(result.problems[0]?.reason).toMatch(/line 3/);
    }
  });

  it('a schema error names the JSON path and the reason', () => {
    const result = parseConfigText(JSON.stringify({ koshelek: { timing: { firstPollMs: 100 } }, till: { terminalId: '' } }), 'c.json');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      const paths = result.problems.map((p) => p.path);
      expect(paths).toContain('koshelek.timing.firstPollMs');
      expect(paths).toContain('till.terminalId');
    }
  });

  it('refuses to start on a bad file, listing every problem', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-config-'));
    dirs.push(dir);
    const file = path.join(dir, 'c.json');
    fs.writeFileSync(file, JSON.stringify({ koshelek: { baseUrls: { test: 'not a url' } } }));
    expect(() => LiveConfig.open(file)).toThrow(ConfigLoadError);
  });
});

describe('hot reload', () => {
  it('an edit takes effect without restart (well within 1 s)', async () => {
    const { file, config } = setup();
    let changes = 0;
    config.onChange(() => { changes += 1; });
    edit(file, (j) => { j.till = { ...j.till, terminalId: 'POS-77' }; });
    await eventually(() => config.current().till.terminalId === 'POS-77', 1_000);
    expect(changes).toBe(1);
  });

  it('a bad edit is rejected with file, path and reason; the last good config stays live; a fix clears it', async () => {
    const { file, config } = setup();
    const before = config.current();
    const statuses: number[] = [];
    config.onStatus((s) => statuses.push(s.problems.length));
    edit(file, (j) => { j.koshelek = { ...j.koshelek, timing: { firstPollMs: 50 } }; });
    await eventually(() => config.getStatus().problems.length > 0);
    expect(config.getStatus().problems[0]).toMatchObject({ file, path: 'koshelek.timing.firstPollMs' });
    expect(config.current()).toBe(before);
    fs.writeFileSync(file, '{ broken');
    await eventually(() => config.getStatus().problems[0]?.path === '(file)');
    expect(config.current()).toBe(before);
    const fixed = JSON.parse(defaultConfigText()) as { till: { terminalId: string } };
    fixed.till.terminalId = 'POS-FIXED';
    writeFileAtomic(file, JSON.stringify(fixed));
    await eventually(() => config.current().till.terminalId === 'POS-FIXED');
    expect(config.getStatus().problems).toEqual([]);
    expect(statuses.at(-1)).toBe(0);
  });

  it('an atomic save (write temp + rename over) is seen', async () => {
    const { file, config } = setup();
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { till: { terminalId: string } };
    json.till.terminalId = 'POS-RENAMED';
    fs.writeFileSync(`${file}.swp`, JSON.stringify(json));
    fs.renameSync(`${file}.swp`, file);
    await eventually(() => config.current().till.terminalId === 'POS-RENAMED');
  });
});
