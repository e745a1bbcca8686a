// The embedded emulators are loaded only when a till starts one (environment "emulator"): their code (a
// TLS certificate generator with its ASN.1 stack, five servers) is a sixth of the core's bundle and
// ~100 ms of a start on this hardware, which every other start would pay for nothing. The kiosk build
// puts them in a chunk of their own (scripts/build.mjs). A production build swaps this file for
// emulators-door.production.ts (scripts/emulator-free.mjs), and main/core/emulators.ts stays the only
// door into emulators/**.
import type { EmbeddedEmulators } from './emulators';

/** Whether this build carries emulators at all (known without loading them). */
export const EMULATORS_SHIPPED: boolean = true;

export async function loadEmulators(): Promise<EmbeddedEmulators | null> {
  return (await import('./emulators')).EMULATORS;
}
