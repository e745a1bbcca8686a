// `paydesk report x|z [--shift N] --format pdf|csv|txt [--out FILE] [--print] [--close --cashier NAME]`
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfigFile, formatProblems } from '../../config/load';
import { configSchema, type PaydeskConfig } from '../../config/schema';
import { openJournal, type Journal } from '../../journal/database';
import { ShiftService } from '../../shifts/service';
import { ReportPrinter } from '../../printing/service';
import { reportCsv } from '../../reports/csv';
import { reportPdf } from '../../reports/pdf';
import { reportText } from '../../reports/text';
import type { ShiftReport } from '../../reports/model';
import { PaydeskError } from '../../errors/catalogue';

export interface CliPaths {
  dataDir: string;
  configFile: string;
  journalFile: string;
}

/** data = --data or $PAYDESK_DATA or ~/.paydesk; config = --config or $PAYDESK_CONFIG or <data>/paydesk.config.json. */
export function resolvePaths(globals: { data?: string; config?: string }): CliPaths {
  const dataDir = path.resolve(globals.data ?? process.env.PAYDESK_DATA ?? path.join(os.homedir(), '.paydesk'));
  const configFile = path.resolve(globals.config ?? process.env.PAYDESK_CONFIG ?? path.join(dataDir, 'paydesk.config.json'));
  return { dataDir, configFile, journalFile: path.join(dataDir, 'journal.db') };
}

/** The config file if it exists and is valid; defaults when it does not exist; an error when it is invalid. */
export function loadConfigOrDefaults(file: string): PaydeskConfig {
  if (!fs.existsSync(file)) return configSchema.parse({});
  const result = loadConfigFile(file);
  if (!result.ok) throw new Error(`invalid config:\n${formatProblems(result.problems)}`);
  return result.config;
}

export function openForReports(globals: { data?: string; config?: string }): { journal: Journal; config: PaydeskConfig; shifts: ShiftService; printer: ReportPrinter; paths: CliPaths } {
  const paths = resolvePaths(globals);
  if (!fs.existsSync(paths.journalFile)) throw new Error(`no journal at ${paths.journalFile} (set --data or $PAYDESK_DATA)`);
  const config = loadConfigOrDefaults(paths.configFile);
  const journal = openJournal(paths.journalFile);
  const shifts = new ShiftService(journal, () => config.shift, { till: () => ({ terminalId: config.till.terminalId, storeId: config.till.storeId, storeName: config.till.storeName }) });
  const printer = new ReportPrinter(journal, () => config.printer);
  return { journal, config, shifts, printer, paths };
}

export type OutputFormat = 'pdf' | 'csv' | 'txt';

export async function renderReport(report: ShiftReport, format: OutputFormat): Promise<Buffer> {
  if (format === 'pdf') return reportPdf(report);
  if (format === 'csv') return Buffer.from(reportCsv(report), 'utf8');
  return Buffer.from(reportText(report, 100), 'utf8');
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('X report (shift so far) or Z report (stored at shift close) as PDF, CSV or text')
    .argument('<type>', 'x or z')
    .option('--shift <n>', 'shift number (default: the open shift for X, the latest Z for Z)')
    .option('--format <format>', 'pdf | csv | txt', 'txt')
    .option('--out <file>', 'write to this file (default: stdout for txt/csv, <data>/reports/ for pdf)')
    .option('--print', 'also print on the configured receipt printer')
    .option('--close', 'Z only: close the open shift now and write its Z report')
    .option('--cashier <name>', 'who closes the shift (with --close)')
    .action(async (type: string, options: { shift?: string; format: string; out?: string; print?: boolean; close?: boolean; cashier?: string }, command: Command) => {
      if (type !== 'x' && type !== 'z') throw new Error(`report type must be x or z, got '${type}'`);
      if (!['pdf', 'csv', 'txt'].includes(options.format)) throw new Error(`--format must be pdf, csv or txt, got '${options.format}'`);
      const format = options.format as OutputFormat;
      const shiftId = options.shift === undefined ? undefined : Number(options.shift);
      if (shiftId !== undefined && (!Number.isInteger(shiftId) || shiftId < 1)) throw new Error('--shift must be a shift number');
      const { journal, shifts, printer, paths } = openForReports(command.optsWithGlobals());
      try {
        let report: ShiftReport | null;
        if (type === 'x') report = shifts.xReport(shiftId);
        else if (options.close) {
          if (!options.cashier) throw new Error('--close needs --cashier NAME');
          report = shifts.close(options.cashier);
        } else report = shiftId === undefined ? shifts.latestZ() : shifts.zReportForShift(shiftId);
        if (!report) throw new PaydeskError('report.not_found', shiftId === undefined ? 'no Z report yet' : `no Z report for shift ${shiftId}`);
        const bytes = await renderReport(report, format);
        let out = options.out;
        if (!out && format === 'pdf') {
          const name = report.type === 'z' ? `z-${report.zNumber}-shift-${report.shift.id}.pdf` : `x-shift-${report.shift.id}-${report.generatedAt.replace(/[:.]/g, '-')}.pdf`;
          out = path.join(paths.dataDir, 'reports', name);
        }
        if (out) {
          fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
          const record = printer.record(report, format, path.resolve(out));
          fs.writeFileSync(out, bytes);
          printer.finish(record.id, null);
          console.error(`${report.type.toUpperCase()} report of shift ${report.shift.id} → ${path.resolve(out)}`);
        } else process.stdout.write(bytes);
        if (options.print) {
          const result = await printer.print(report);
          if (result.cashierError) {
            console.error(`printing failed (kept in history as output ${result.record.id}): ${result.record.error ?? ''}`);
            process.exitCode = 2;
          } else console.error(`printed on ${result.record.target}`);
        }
      } finally {
        journal.close();
      }
    });
}
