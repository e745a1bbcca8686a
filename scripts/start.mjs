#!/usr/bin/env node
/* global process, console */
// `npm start [-- --kiosk] [-- shell options]`: build when sources changed, then run Electron when its
// binary is installed, else the headless kiosk shell (which opens Chromium --app when present).
// `--kiosk` forces the kiosk shell. The kiosk shell prints the URL (with its per-start token).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const forceKiosk = args.includes('--kiosk');
const passthrough = args.filter((a) => a !== '--kiosk');

function newestMtime(dir) {
  let newest = 0;
  const walk = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/\.(tsx?|css|html)$/.test(entry.name)) newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return newest;
}

function needsBuild() {
  const stamp = path.join(root, 'dist', '.build-stamp');
  if (!fs.existsSync(stamp) || !fs.existsSync(path.join(root, 'dist', 'main', 'kiosk.mjs'))) return true;
  const built = fs.statSync(stamp).mtimeMs;
  return ['main', 'renderer', 'preload'].some((d) => newestMtime(path.join(root, d)) > built);
}

function electronBinary() {
  try {
    const p = createRequire(import.meta.url)('electron');
    return typeof p === 'string' && fs.existsSync(p) ? p : null;
  } catch {
    return null; // the npm package is installed without its binary (ELECTRON_SKIP_BINARY_DOWNLOAD)
  }
}

if (needsBuild()) {
  console.log('paydesk: building…');
  const result = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: root });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const electron = forceKiosk ? null : electronBinary();
let child;
if (electron && fs.existsSync(path.join(root, 'dist', 'main', 'electron.cjs'))) {
  console.log('paydesk: starting the Electron shell');
  child = spawn(electron, [path.join(root, 'dist', 'main', 'electron.cjs'), ...passthrough], { stdio: 'inherit', cwd: root });
} else {
  if (!forceKiosk) console.log('paydesk: Electron binary not installed — starting the headless kiosk shell');
  child = spawn(process.execPath, [path.join(root, 'dist', 'main', 'kiosk.mjs'), ...passthrough], { stdio: 'inherit', cwd: root });
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
