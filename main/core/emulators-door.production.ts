// The production build's stand-in for emulators-door.ts: no emulators, nothing to load (scripts/emulator-free.mjs).
import type { EmbeddedEmulators } from './emulators';

export const EMULATORS_SHIPPED: boolean = false;

export async function loadEmulators(): Promise<EmbeddedEmulators | null> {
  return null;
}
