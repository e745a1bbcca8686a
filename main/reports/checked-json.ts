// A report checked against the contract's report DTO schema and serialised, in the report worker: the core
// forwards the text to the window unparsed (main/api/pre-serialized.ts), so the worker is the boundary where
// the report is validated. The core tells a refusal here (a bug, not a busy worker) from a worker that cannot
// run: it is not retried on the core's thread.
import { shiftReportSchema } from '../contract/api';

export class ReportContractError extends Error {
  override readonly name = 'ReportContractError';
}

export function checkedReportJson(report: unknown): string {
  const checked = shiftReportSchema.safeParse(report);
  if (!checked.success) {
    const why = checked.error.issues.slice(0, 5).map((i) => `${i.path.map(String).join('.') || '(report)'}: ${i.message}`).join('; ');
    throw new ReportContractError(`the report worker's X report broke the contract: ${why}`);
  }
  return JSON.stringify(checked.data);
}
