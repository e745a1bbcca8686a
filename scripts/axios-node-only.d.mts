// Types for scripts/axios-node-only.mjs (used by scripts/build.mjs and the start-up bundle test).
import type { Plugin } from 'esbuild';

export function axiosNodeOnlyPlugin(root: string): Plugin;
