// The CLI's command list: add one import and one entry per command file.
import type { Command } from 'commander';
import { registerReport } from './report';
import { registerConfigCheck } from './config-check';
import { registerDoctor } from './doctor';
import { registerExport } from './export';
import { registerPartnerKeys } from './partner-keys';
import { registerSale } from './sale';
import { registerTestcard } from './testcard';
import { registerAudit } from './audit';
import { registerPeople } from './people';

export type RegisterCommand = (program: Command) => void;

export const COMMANDS: RegisterCommand[] = [
  registerReport,
  registerConfigCheck,
  registerDoctor,
  registerExport,
  registerPartnerKeys,
  registerSale,
  registerTestcard,
  registerAudit,
  registerPeople,
];
