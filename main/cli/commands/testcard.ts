// `paydesk testcard [scenario]`: a fresh, currently valid test barcode of the emulator's test card
// (scenarios: OK, CH, LM, DC, SL, BD, NA, DL, RN, CR — see docs/emulator.md).
import type { Command } from 'commander';
import { testCardBarcode } from '../../../emulators/koshelek';

export function registerTestcard(program: Command): void {
  program
    .command('testcard')
    .description('print a currently valid test barcode for the emulator (TOTP changes every 30 s)')
    .argument('[scenario]', 'emulator scenario: OK, CH, LM, DC, SL, BD, NA, DL, RN, CR', 'OK')
    .action((scenario: string) => {
      console.log(testCardBarcode(scenario.toUpperCase()));
    });
}
