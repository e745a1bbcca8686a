import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The renderer: one static bundle, no inline scripts (the CSP forbids them), served by the kiosk
// shell over http://127.0.0.1 and by the Electron shell from app://paydesk/.
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
  },
});
