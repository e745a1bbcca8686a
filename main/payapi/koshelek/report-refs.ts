// Koshelek's slip ids that X / Z reports, CSV and print show as columns (seed 003 §7.2: qrcId and
// kzo for SBP), keys as stored in slips.refs_json. The registry's `reportRefs` for Koshelek.
import type { RefColumn } from '../../reports/model';

export const KOSHELEK_REPORT_REFS: readonly RefColumn[] = [
  { key: 'qrcId', label: 'qrcId' },
  { key: 'kzo', label: 'КЗО' },
];
