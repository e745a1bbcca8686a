#!/usr/bin/env node
/* global process, console, performance */
// `npm run build`: esbuild bundles for the shells, the preload and the CLI; vite for the renderer.
//   dist/main/electron.cjs   Electron main (main/shell/electron/main.ts)
//   dist/main/core-host.cjs  the core in its own process under Electron (main/shell/core-host.ts)
//   dist/preload/index.cjs   sandboxed preload (one file: a sandboxed preload cannot require our modules)
//   dist/preload/display.cjs the customer display window's preload (receive-only)
//   dist/main/kiosk.mjs      headless kiosk shell
//   dist/main/report-worker.mjs  report worker thread (PDF)
//   dist/cli.mjs             paydesk CLI
//   dist/main/scan-worker.mjs   image decode worker thread (main/scanner/image-worker.ts), next to the shells
//   dist/renderer/           React renderer (vite), with its frame decode worker in assets/
//   dist/renderer/assets/zxing_reader.wasm   zxing-cpp for that worker, copied from the installed zxing-wasm
//                            package (renderer/scan/frame.worker.ts fetches it from the shell: no CDN)
// Native modules (better-sqlite3, serialport) and electron stay external: they are loaded from
// node_modules (unpacked from asar in packaged builds, see electron-builder.yml).
// Options: --only=main,preload,kiosk,cli,renderer   --dev (no minify)
//          --production: the packaged app's bundles with no emulator code (scripts/emulator-free.mjs;
//          environment "emulator" then blocks sales); the CLI, a dev and IT tool, is not built.
import { build } from 'esbuild';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { axiosNodeOnlyPlugin } from './axios-node-only.mjs';
import { emulatorFreePlugin } from './emulator-free.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argOnly = process.argv.find((a) => a.startsWith('--only='));
const only = argOnly ? new Set(argOnly.slice(7).split(',')) : null;
const dev = process.argv.includes('--dev');
const production = process.argv.includes('--production');
const want = (name) => (!only || only.has(name)) && !(production && name === 'cli');
const external = ['electron', 'better-sqlite3', 'serialport', '@serialport/*', 'bufferutil', 'utf-8-validate', 'pino', 'pino-pretty', 'thread-stream', 'pdfkit', 'fontkit'];

const common = {
  bundle: true, platform: 'node', target: 'node20', sourcemap: true, minify: !dev, logLevel: 'warning',
  absWorkingDir: root, external, legalComments: 'none',
  plugins: [axiosNodeOnlyPlugin(root), ...(production ? [emulatorFreePlugin(root)] : [])],
};
// ESM bundles that pull in CommonJS dependencies need a require().
const esmBanner = { js: "import { createRequire as __paydeskCreateRequire } from 'node:module'; const require = __paydeskCreateRequire(import.meta.url);" };

// CommonJS bundles (Electron main, preload) get import.meta.url from __filename (the journal finds
// migrations/ relative to its own file).
const cjsShim = {
  banner: { js: "const __paydeskImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__paydeskImportMetaUrl' },
};

const jobs = [];
const t0 = performance.now();
if (want('main')) {
  const entry = path.join(root, 'main/shell/electron/main.ts');
  if (fs.existsSync(entry)) jobs.push(build({ ...common, entryPoints: [entry], outfile: 'dist/main/electron.cjs', format: 'cjs', ...cjsShim }));
  // The core's own process under Electron (utilityProcess), see main/shell/core-host.ts.
  const host = path.join(root, 'main/shell/core-host.ts');
  if (fs.existsSync(host)) jobs.push(build({ ...common, entryPoints: [host], outfile: 'dist/main/core-host.cjs', format: 'cjs', ...cjsShim }));
}
if (want('preload')) {
  const entry = path.join(root, 'preload/index.ts');
  if (fs.existsSync(entry)) jobs.push(build({ ...common, entryPoints: [entry], outfile: 'dist/preload/index.cjs', format: 'cjs', external: ['electron'], platform: 'node' }));
  // The customer display window's preload: a subscribe, no invoke (main/shell/electron/display-window.ts).
  jobs.push(build({ ...common, entryPoints: [path.join(root, 'preload/display.ts')], outfile: 'dist/preload/display.cjs', format: 'cjs', external: ['electron'], platform: 'node' }));
}
if (want('kiosk')) {
  jobs.push(build({ ...common, entryPoints: ['main/shell/kiosk/main.ts'], outfile: 'dist/main/kiosk.mjs', format: 'esm', banner: esmBanner }));
  // The supervisor (kiosk.mjs, small) restarts the core (kiosk-core.mjs) when it dies: docs/ui.md "Core lost".
  // The core's entry is small (the front door); the core itself is a CommonJS bundle beside it, which the entry
  // compiles with V8's code cache (main/shell/kiosk/code-cache.ts; Node 20 caches nothing for ES modules).
  // What a start does not need (the embedded emulators, the PDF renderer) stays behind dynamic imports, which
  // esbuild turns into lazily initialised modules in the same file: compiled and run only on first use.
  const out = path.join(root, 'dist/main');
  for (const f of fs.existsSync(out) ? fs.readdirSync(out) : []) if (f.startsWith('kiosk-core-chunk-')) fs.rmSync(path.join(out, f));
  jobs.push(build({ ...common, entryPoints: ['main/shell/kiosk/core-main.ts'], outfile: 'dist/main/kiosk-core.mjs', format: 'esm', banner: esmBanner }));
  // `dynamic-import: false`: external packages loaded on first use (serialport, pdfkit) by require, since a
  // script compiled with a code cache has no ES module loader of its own.
  jobs.push(build({ ...common, entryPoints: ['main/shell/kiosk/shell.ts'], outfile: 'dist/main/kiosk-core-shell.cjs', format: 'cjs', ...cjsShim, supported: { 'dynamic-import': false } }));
}
if (want('main') || want('kiosk')) {
  // The shells start it with new Worker(<their dir>/scan-worker.mjs) (main/scanner/image-pool.ts).
  jobs.push(build({ ...common, entryPoints: ['main/scanner/image-worker.ts'], outfile: 'dist/main/scan-worker.mjs', format: 'esm', banner: esmBanner }));
}
if (want('kiosk') || want('main')) {
  // The report worker thread (PDF off the core's loop): main/reports/worker.ts loads it from beside the shell's bundle.
  jobs.push(build({ ...common, entryPoints: ['main/reports/report-worker.ts'], outfile: 'dist/main/report-worker.mjs', format: 'esm', banner: esmBanner }));
}
if (want('cli')) {
  const entry = path.join(root, 'main/cli/index.ts');
  if (fs.existsSync(entry)) jobs.push(build({ ...common, entryPoints: [entry], outfile: 'dist/cli.mjs', format: 'esm', banner: esmBanner }));
}
if (want('renderer')) {
  jobs.push((async () => {
    const { build: viteBuild } = await import('vite');
    await viteBuild({ configFile: path.join(root, 'vite.config.ts'), root: path.join(root, 'renderer'), logLevel: 'warn', mode: dev ? 'development' : 'production' });
    // after vite (it empties dist/renderer): the worker resolves the file next to its own bundle
    const wasm = createRequire(path.join(root, 'package.json')).resolve('zxing-wasm/reader/zxing_reader.wasm');
    fs.mkdirSync(path.join(root, 'dist/renderer/assets'), { recursive: true });
    fs.copyFileSync(wasm, path.join(root, 'dist/renderer/assets/zxing_reader.wasm'));
  })());
}
const results = await Promise.allSettled(jobs);
const failed = results.filter((r) => r.status === 'rejected');
for (const f of failed) console.error(f.reason instanceof Error ? f.reason.message : f.reason);
// A marker so `npm start` can tell whether sources changed since the last build.
if (failed.length === 0) fs.writeFileSync(path.join(root, 'dist', '.build-stamp'), new Date().toISOString());
console.log(`build ${failed.length ? 'FAILED' : 'ok'} in ${Math.round(performance.now() - t0)} ms`);
process.exit(failed.length ? 1 : 0);
