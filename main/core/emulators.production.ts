// The production build's stand-in for emulators.ts: no emulator code at all (scripts/build.mjs --production).
import type { EmbeddedEmulators } from './emulators';

export const EMULATORS: EmbeddedEmulators | null = null;
