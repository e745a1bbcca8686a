// `paydesk config check [FILE]`: validates a paydesk.config.json and names every problem by JSON path.
// Without FILE it checks the till's live config (--config / $PAYDESK_CONFIG / <data>/paydesk.config.json).
import type { Command } from 'commander';
import { resolvePaths } from './report';
import { formatProblems, loadConfigFile } from '../../config/load';

export function registerConfigCheck(program: Command): void {
  const config = program.commands.find((c) => c.name() === 'config') ?? program.command('config').description('configuration file tools');
  config
    .command('check')
    .description('validate a config file (JSON syntax and schema); exit 1 on problems')
    .argument('[file]', 'paydesk.config.json to check (default: the live config the till uses)')
    .action((given: string | undefined, _options: unknown, command: Command) => {
      const file = given ?? resolvePaths(command.optsWithGlobals()).configFile;
      if (!given) console.log(`checking the live config: ${file}`);
      const result = loadConfigFile(file);
      if (!result.ok) {
        console.error(formatProblems(result.problems));
        console.error(`${result.problems.length} problem(s) in ${file}`);
        process.exitCode = 1;
        return;
      }
      const c = result.config;
      const credentials = c.koshelek.login !== '' && c.koshelek.password !== '';
      console.log(`OK: ${file}`);
      console.log(`  till ${c.till.terminalId}, store ${c.till.storeId}`);
      console.log(`  koshelek: ${credentials ? c.koshelek.environment : 'no credentials (embedded emulator)'}${credentials && c.koshelek.environment !== 'emulator' ? ` → ${c.koshelek.baseUrls[c.koshelek.environment]}` : ''}`);
      console.log(`  shift: max ${c.shift.maxHours} h, warn ${c.shift.warnBeforeMinutes} min ahead; tenders: ${c.shift.tenderKinds.join(', ')}`);
      console.log(`  printer: ${c.printer.enabled ? `${c.printer.transport} ${c.printer.path} (${c.printer.widthMm} mm)` : 'off'}`);
    });
}
