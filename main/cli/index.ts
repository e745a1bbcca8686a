#!/usr/bin/env node
// `paydesk` CLI for IT and managers. Each command lives in main/cli/commands/<name>.ts and is
// registered in COMMANDS below (one line per command).
import { Command } from 'commander';
import { COMMANDS } from './commands';

export function buildProgram(): Command {
  const program = new Command('paydesk')
    .description('Paydesk cashier core: payments, reports and checks from the command line')
    .option('--config <file>', 'config file (default: $PAYDESK_CONFIG or <data>/paydesk.config.json)')
    .option('--data <dir>', 'data folder (default: $PAYDESK_DATA or ~/.paydesk)');
  for (const register of COMMANDS) register(program);
  return program;
}

buildProgram().parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
