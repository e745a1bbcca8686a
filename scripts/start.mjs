#!/usr/bin/env node
/* global process, console */
// `npm start [-- --kiosk] [-- shell options]`: build when sources changed, then run Electron when its
// binary is installed, else the headless kiosk shell (which opens Chromium --app when present).
// `--kiosk` forces the kiosk shell. The kiosk shell prints the URL (with its per-start token).
// Without a display (no DISPLAY / WAYLAND_DISPLAY on Linux) Electron cannot open a window: the kiosk
// shell runs instead, says so and keeps serving its URL. This script never ends silently with 0: an
// exit by a signal or an error code is reported and passed on.
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
  const bundles = ['kiosk.mjs', 'kiosk-core.mjs', 'kiosk-core-shell.cjs'].map((f) => path.join(root, 'dist', 'main', f));
  if (!fs.existsSync(stamp) || bundles.some((f) => !fs.existsSync(f))) return true;
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

const noDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const electron = forceKiosk ? null : electronBinary();
let child;
if (electron && noDisplay && !forceKiosk) {
  console.log('paydesk: no display (DISPLAY / WAYLAND_DISPLAY unset): Electron cannot open a window here — starting the kiosk shell, which serves the till at a URL');
}
if (electron && !noDisplay && fs.existsSync(path.join(root, 'dist', 'main', 'electron.cjs'))) {
  console.log('paydesk: starting the Electron shell');
  child = spawn(electron, [path.join(root, 'dist', 'main', 'electron.cjs'), ...passthrough], { stdio: 'inherit', cwd: root });
} else {
  if (!forceKiosk && !electron) console.log('paydesk: Electron binary not installed — starting the headless kiosk shell');
  child = spawn(process.execPath, [path.join(root, 'dist', 'main', 'kiosk.mjs'), ...passthrough], { stdio: 'inherit', cwd: root });
}
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => { stopping = true; child.kill(signal); });
child.on('error', (error) => {
  console.error(`paydesk: could not start the shell: ${error.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (stopping && (code === 0 || signal)) {
    console.log('paydesk: stopped');
    process.exit(0);
  }
  if (signal) {
    console.error(`paydesk: the shell was killed by ${signal}; the till is not running`);
    process.exit(1);
  }
  if (code !== 0) console.error(`paydesk: the shell exited with code ${code}; the till is not running (see the messages above)`);
  else console.log('paydesk: the till window was closed; the till stopped');
  process.exit(code ?? 1);
});
