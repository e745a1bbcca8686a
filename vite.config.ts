import react from '@vitejs/plugin-react';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

// The renderer: one static bundle, no inline scripts (the CSP forbids them), served by the kiosk
// shell over http://127.0.0.1 and by the Electron shell from app://paydesk/. Two pages: the till (index.html)
// and the customer display (display.html, its own small bundle without the cashier's screens).
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'chrome120',
    sourcemap: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    rollupOptions: { input: { main: path.join(here, 'renderer/index.html'), display: path.join(here, 'renderer/display.html') } },
  },
});
