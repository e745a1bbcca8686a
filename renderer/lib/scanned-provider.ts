// A pay token scanned from a provider's own code (the scan says which provider's format recognised it): only
// that provider's scan methods may take it — another provider would be handed a token it never issued. Methods
// without a scan (a card terminal) stay offered. Pure.
import type { MethodChoice } from './methods';

export function forScannedProvider(choices: readonly MethodChoice[], provider: string | null | undefined): MethodChoice[] {
  if (!provider) return [...choices];
  return choices
    .filter((c) => !c.needsCardScan || c.provider === provider)
    .map((c, i) => ({ ...c, digit: i < 9 ? String(i + 1) : null }));
}
