// What every start of the kiosk core parses and runs (docs/architecture.md "Start-up"): the embedded
// emulators (and their TLS certificate stack) and the PDF renderer are in chunks loaded on first use, and
// axios's fetch adapter (whose import loads Node's internal undici) is not in the bundle at all.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { axiosNodeOnlyPlugin } from '../../scripts/axios-node-only.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const external = ['electron', 'better-sqlite3', 'serialport', '@serialport/*', 'bufferutil', 'utf-8-validate', 'pino', 'pino-pretty', 'thread-stream', 'pdfkit', 'fontkit'];

/** Inputs of the outputs a start loads: the entry and what it imports statically, transitively. */
function loadedAtStart(metafile: Metafile, entry: string): { inputs: Set<string>; lazy: Set<string> } {
  const outputs = metafile.outputs;
  const start = Object.keys(outputs).find((o) => outputs[o]?.entryPoint === entry);
  if (!start) throw new Error('entry output not found');
  const seen = new Set<string>();
  const lazy = new Set<string>();
  const walk = (o: string): void => {
    if (seen.has(o)) return;
    seen.add(o);
    for (const i of outputs[o]?.imports ?? []) {
      if (i.external) continue;
      if (i.kind === 'dynamic-import') lazy.add(i.path);
      else walk(i.path);
    }
  };
  walk(start);
  const inputs = new Set<string>();
  for (const o of seen) for (const input of Object.keys(outputs[o]?.inputs ?? {})) inputs.add(input);
  return { inputs, lazy };
}

describe('the kiosk core bundle', () => {
  it('loads no emulator, no certificate generator, no PDF renderer and no fetch probe at start', async () => {
    const entry = 'main/shell/kiosk/core-main.ts';
    const result = await build({
      absWorkingDir: root, entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', splitting: true, outdir: path.join(root, 'dist', 'test-split'),
      write: false, metafile: true, logLevel: 'silent', external, plugins: [axiosNodeOnlyPlugin(root)],
    });
    const { inputs, lazy } = loadedAtStart(result.metafile, entry);
    expect(lazy.size).toBeGreaterThan(0);
    const atStart = [...inputs];
    expect(atStart.filter((f) => f.startsWith('emulators/'))).toEqual([]);
    expect(atStart.filter((f) => /node_modules\/(selfsigned|@peculiar)\//.test(f))).toEqual([]);
    expect(atStart).not.toContain('main/reports/pdf.ts');
    expect(atStart.some((f) => f.startsWith('main/checkout/'))).toBe(true); // the walk does find the core
    const all = Object.values(result.metafile.outputs).flatMap((o) => Object.keys(o.inputs));
    expect(all.some((f) => f.startsWith('emulators/'))).toBe(true); // still shipped, in a chunk
    const text = (result.outputFiles ?? []).map((f) => f.text).join('\n');
    expect(text).not.toMatch(/typeof fetch\s*===?\s*["']function["']/);
  }, 60_000);
});
