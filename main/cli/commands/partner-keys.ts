// `paydesk partner-keys <show|generate|rotate> [purpose]`: the partner API's signing keys for onboarding.
// Prints public keys (PEM + SHA-256 fingerprint) only; private keys never leave <data>/partner-keys.
import type { Command } from 'commander';
import { KEY_PURPOSES, PartnerKeyStore, type KeyPurpose, type PublicKeyInfo } from '../../payapi/partner/keys';
import { resolvePaths } from './report';

const DAY_MS = 86_400_000;

function print(k: PublicKeyInfo): void {
  console.log(`# ${k.purpose} key ${k.fingerprint}${k.retiresAt ? ` (retires ${new Date(k.retiresAt).toISOString()})` : ''}`);
  console.log(k.pem.trim());
}

function purposeOf(text: string): KeyPurpose {
  const p = KEY_PURPOSES.find((x) => x === text);
  if (!p) throw new Error(`purpose must be one of: ${KEY_PURPOSES.join(', ')}`);
  return p;
}

export function registerPartnerKeys(program: Command): void {
  program
    .command('partner-keys')
    .description('partner API keys (ECDSA P-521): show public keys, generate, or rotate with an overlap (docs/partner.md)')
    .argument('<action>', 'show | generate | rotate')
    .argument('[purpose]', 'payment | reversal (generate/rotate)')
    .option('--overlap-days <n>', 'rotate: days the old key stays valid', '7')
    .action((action: string, purpose: string | undefined, opts: { overlapDays: string }) => {
      const store = new PartnerKeyStore(resolvePaths(program.opts<{ data?: string; config?: string }>()).dataDir);
      if (action === 'show') {
        const keys = store.publicKeys();
        if (keys.length === 0) console.log('no partner keys yet: paydesk partner-keys generate payment (and reversal)');
        keys.forEach(print);
        return;
      }
      const p = purposeOf(purpose ?? '');
      if (action === 'generate') {
        if (store.live(p).length > 0) throw new Error(`a ${p} key exists; use rotate`);
        print(store.generate(p));
        return;
      }
      if (action === 'rotate') {
        const days = Number(opts.overlapDays);
        if (!Number.isFinite(days) || days < 0 || days > 90) throw new Error('--overlap-days must be 0..90');
        print(store.rotate(p, Math.round(days * DAY_MS)));
        return;
      }
      throw new Error('action must be show, generate or rotate');
    });
}
