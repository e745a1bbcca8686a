// What every start of the kiosk core parses and runs (docs/architecture.md "Start-up"): the core process's entry
// is the front door alone (Node's own modules and a few small files); the core is a CommonJS bundle the entry
// compiles with V8's code cache, in which the embedded emulators (and their TLS certificate stack) and the PDF
// renderer are initialised on first use only; and axios's probes of fetch and FormData (whose first touch loads
// Node's internal undici) are not in it at all.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { axiosNodeOnlyPlugin } from '../../scripts/axios-node-only.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const external = ['electron', 'better-sqlite3', 'serialport', '@serialport/*', 'bufferutil', 'utf-8-validate', 'pino', 'pino-pretty', 'thread-stream', 'pdfkit', 'fontkit'];

/** Inputs of the outputs loaded with `start` (an output file): it and what it imports statically, transitively. */
function loadedWith(metafile: Metafile, start: string): { inputs: Set<string>; lazy: Set<string> } {
  const outputs = metafile.outputs;
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

const bundleOptions = { absWorkingDir: root, bundle: true, platform: 'node' as const, write: false as const, metafile: true as const, logLevel: 'silent' as const, external, plugins: [axiosNodeOnlyPlugin(root)] };

describe('the kiosk core bundle', () => {
  it('the entry is the front door alone; the core loads no emulator, no certificate generator, no PDF renderer, no undici probe at start', async () => {
    const entry = 'main/shell/kiosk/core-main.ts';
    const door = await build({ ...bundleOptions, entryPoints: [entry], format: 'esm', outfile: path.join(root, 'dist', 'test-entry.mjs') });
    const doorOutput = Object.keys(door.metafile.outputs).find((o) => door.metafile.outputs[o]?.entryPoint === entry) as string;
    // Nothing from node_modules, no schema, no core.
    expect([...loadedWith(door.metafile, doorOutput).inputs].sort()).toEqual([
      'main/contract/display-page.ts', 'main/contract/ws-names.ts', 'main/shell/csp.ts', 'main/shell/kiosk/code-cache.ts', 'main/shell/kiosk/core-main.ts',
      'main/shell/kiosk/front-door.ts', 'main/shell/kiosk/supervise.ts', 'main/shell/kiosk/trace.ts', 'main/shell/static-files.ts',
    ]);

    // The core, as the build makes it (CommonJS, dynamic imports as lazily initialised modules)…
    const shell = 'main/shell/kiosk/shell.ts';
    const cjs = await build({ ...bundleOptions, entryPoints: [shell], format: 'cjs', outfile: path.join(root, 'dist', 'test-shell.cjs'), supported: { 'dynamic-import': false } });
    const text = (cjs.outputFiles ?? []).map((f) => f.text).join('\n');
    expect(text).not.toMatch(/typeof fetch\s*===?\s*["']function["']/);
    expect(text).not.toMatch(/\.FormData\s*!==?\s*["']undefined["']/);
    expect(text).not.toMatch(/\bimport\(["'](serialport|pdfkit)["']\)/); // a script compiled with a code cache has no module loader for import()
    expect(text).toMatch(/require\(["']serialport["']\)/);
    expect(Object.keys(cjs.metafile.inputs).some((f) => f.startsWith('emulators/'))).toBe(true); // still shipped

    // …and what of it runs at start: the same graph split where it imports dynamically.
    const split = await build({ ...bundleOptions, entryPoints: [shell], format: 'esm', splitting: true, outdir: path.join(root, 'dist', 'test-split') });
    const shellOutput = Object.keys(split.metafile.outputs).find((o) => split.metafile.outputs[o]?.entryPoint === shell) as string;
    const { inputs, lazy } = loadedWith(split.metafile, shellOutput);
    expect(lazy.size).toBeGreaterThan(0);
    const atStart = [...inputs];
    expect(atStart.filter((f) => f.startsWith('emulators/'))).toEqual([]);
    expect(atStart.filter((f) => /node_modules\/(selfsigned|@peculiar)\//.test(f))).toEqual([]);
    expect(atStart).not.toContain('main/reports/pdf.ts');
    expect(atStart.some((f) => f.startsWith('main/checkout/'))).toBe(true); // the walk does find the core
  }, 60_000);

  it('axios without its FormData probe still knows a FormData body (by its tag)', async () => {
    const probe = await build({
      ...bundleOptions, format: 'cjs', outfile: path.join(root, 'dist', 'test-formdata.cjs'),
      stdin: { contents: "import 'axios'; import utils from './node_modules/axios/lib/utils.js'; module.exports = [utils.isFormData(new FormData()), utils.isFormData({ append() {} }), utils.isFormData(Object.create({ append() {} }))];", resolveDir: root, loader: 'ts' },
    });
    const text = (probe.outputFiles ?? [])[0]?.text ?? '';
    expect(text).not.toMatch(/\.FormData\s*!==?\s*["']undefined["']/);
    const module = { exports: [] as boolean[] };
    new Function('module', 'require', text)(module, createRequire(path.join(root, 'package.json')));
    expect(module.exports).toEqual([true, false, false]);
  }, 60_000);
});
