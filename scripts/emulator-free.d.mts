// Types for scripts/emulator-free.mjs (used by scripts/build.mjs and the production-bundle test).
import type { Metafile, Plugin } from 'esbuild';

export function emulatorFreePlugin(root: string): Plugin;
export function emulatorInputs(metafile: Metafile): string[];
