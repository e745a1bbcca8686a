// The CLI's command list: add one import and one entry per command file.
import type { Command } from 'commander';

export type RegisterCommand = (program: Command) => void;

export const COMMANDS: RegisterCommand[] = [];
