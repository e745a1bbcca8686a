// `paydesk config check [FILE]`: validates a paydesk.config.json and names every problem by JSON path.
// Without FILE it checks the till's live config (--config / $PAYDESK_CONFIG / <data>/paydesk.config.json).
import type { Command } from 'commander';
import { resolvePaths } from './report';
import { formatProblems, loadConfigFile } from '../../config/load';
import { describePlan, planConnection } from '../../core/connection';
import { configExposed } from '../../core/files';
import { CATALOGUE } from '../../errors/catalogue';

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
      const plan = describePlan(planConnection(c, process.env, { configExposed: configExposed(file) }), (key) => CATALOGUE[key].en);
      console.log(`${plan.sales === 'blocked' ? 'valid, but SALES BLOCKED' : 'OK'}: ${file}`);
      console.log(`  till ${c.till.terminalId}, store ${c.till.storeId}`);
      console.log(`  koshelek: ${plan.line}`);
      // A valid file that blocks sales is still a problem for the till: fail closed here too.
      if (plan.sales === 'blocked') process.exitCode = 1;
      console.log(`  shift: max ${c.shift.maxHours} h, warn ${c.shift.warnBeforeMinutes} min ahead; tenders: ${c.shift.tenderKinds.join(', ')}`);
      console.log(`  printer: ${c.printer.enabled ? `${c.printer.transport} ${c.printer.path} (${c.printer.widthMm} mm)` : 'off'}`);
    });
}
