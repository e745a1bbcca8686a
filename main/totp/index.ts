// TOTP module facade: pick the configured verifier (built-in or the vendor's library).
import { PaydeskError } from '../errors/catalogue';
import { loadVendorVerifier } from '../../native/passcode-verify/loader';
import type { TotpConfig } from './config';
import { BuiltinTotpVerifier, type BuiltinVerifierOptions, type TotpVerifier } from './verifier';

export { totpConfigSchema, totpCardSchema, DEFAULT_TEST_CARD, type TotpConfig, type TotpCard, type TotpConfigInput } from './config';
export { checkTotp, totpCode, totpStep, type TotpCheck, type TotpParams } from './totp';
export { clockDrift } from './clock';
export {
  BuiltinTotpVerifier, createBuiltinTokenProvider, decodeBuiltinToken, tokenCard,
  type TokenProvider, type TotpVerifier, type TillFingerprint, type VerifyOptions, type BuiltinVerifierOptions,
} from './verifier';

/**
 * The configured TOTP verifier. 'vendor' loads the Passcode Verify adapter (native/passcode-verify) and
 * calls its init(); a missing or unloadable adapter throws PaydeskError('totp.vendor_unavailable').
 */
export async function createTotpVerifier(config: TotpConfig, options: BuiltinVerifierOptions = {}): Promise<TotpVerifier> {
  if (config.verifier === 'builtin') return new BuiltinTotpVerifier(config, options);
  if (!config.vendorLibraryPath) {
    throw new PaydeskError('totp.vendor_unavailable', 'totp.verifier is "vendor" but totp.vendorLibraryPath is not set');
  }
  return loadVendorVerifier({ path: config.vendorLibraryPath, args: config.vendorArgs, init: config.vendorInit, separator: config.separator, cards: config.cards.map((c) => c.prefix) });
}
