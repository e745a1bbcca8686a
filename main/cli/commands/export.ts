// `paydesk export --from DATE --to DATE [--out FILE]`: every operation and tender started in the
// period (local dates, both inclusive) as CSV for Excel.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { csvDocument, operationCsvRow, tenderCsvRow } from '../../reports/csv';
import { loadOperationsBetween } from '../../reports/load';
import { toLine } from '../../reports/compute';
import type { TenderRow } from '../../reports/model';
import { openForReports } from './report';

/** "2025-03-03" → local midnight; a full ISO timestamp is taken as is. */
export function parseDateArg(text: string, endOfDay: boolean): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const date = m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + (endOfDay ? 1 : 0)) : new Date(text);
  if (Number.isNaN(date.getTime())) throw new Error(`not a date: '${text}' (use YYYY-MM-DD)`);
  return date;
}

interface TenderDb { id: number; shift_id: number; kind: string; direction: 'sale' | 'refund'; amount_kop: number; note: string; cashier: string; created_at: string }

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('CSV (UTF-8 BOM, ";") of all operations and tenders in a period')
    .requiredOption('--from <date>', 'first day (YYYY-MM-DD, local time)')
    .requiredOption('--to <date>', 'last day, inclusive (YYYY-MM-DD)')
    .option('--out <file>', 'output file (default: stdout)')
    .action((options: { from: string; to: string; out?: string }, command: Command) => {
      const from = parseDateArg(options.from, false).toISOString();
      const to = parseDateArg(options.to, true).toISOString();
      const { journal } = openForReports(command.optsWithGlobals());
      try {
        const zByShift = new Map((journal.sqlite.prepare('SELECT shift_id, number FROM z_reports').all() as { shift_id: number; number: number }[]).map((r) => [r.shift_id, r.number]));
        const ops = loadOperationsBetween(journal.sqlite, from, to);
        const tenders = journal.sqlite.prepare('SELECT * FROM tenders WHERE created_at >= ? AND created_at < ? ORDER BY created_at, id').all(from, to) as TenderDb[];
        const rows = [
          ...ops.map((o) => operationCsvRow(toLine(o, o.shiftId), o.shiftId, zByShift.get(o.shiftId) ?? null)),
          ...tenders.map((t) => {
            const row: TenderRow = { id: t.id, kind: t.kind, direction: t.direction, amountKop: t.amount_kop, note: t.note, cashier: t.cashier, createdAt: t.created_at };
            return tenderCsvRow(row, t.shift_id, zByShift.get(t.shift_id) ?? null);
          }),
        ];
        const csv = csvDocument(rows);
        if (options.out) {
          fs.mkdirSync(path.dirname(path.resolve(options.out)), { recursive: true });
          fs.writeFileSync(options.out, csv);
          console.error(`${ops.length} operations, ${tenders.length} tenders → ${path.resolve(options.out)}`);
        } else process.stdout.write(csv);
      } finally {
        journal.close();
      }
    });
}
