// People and audit: an access check against the compiled table (many people, overrides), an audit
// append in its own IMMEDIATE transaction (WAL, synchronous=FULL), verifying the whole chain, a PIN
// check at the default scrypt cost, and a balance debit.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { compileAccess } from '../main/access/compile';
import { DEFAULT_MATRIX, PERMISSIONS } from '../main/access/matrix';
import { appendAudit, verifyChain } from '../main/audit/log';
import { BalanceLedger } from '../main/balances/ledger';
import { openJournal } from '../main/journal/database';
import { hashPin, verifyPin } from '../main/people/pin';
import { rssMb, summarize, writeResults, type VariantResult } from './lib/results';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-bench-people-'));
const journal = openJournal(path.join(dir, 'till.db'));
const variants: VariantResult[] = [];

// Access checks: 500 people over the default roles, 200 single-right overrides.
const roles = DEFAULT_MATRIX.roles.map((r) => r.id);
const people = Array.from({ length: 500 }, (_, i) => ({ id: `p${i}`, role: roles[i % roles.length] as string, active: i % 50 !== 0 }));
const overrides = Array.from({ length: 200 }, (_, i) => ({ personId: `p${i * 2}`, permission: PERMISSIONS[i % PERMISSIONS.length] as (typeof PERMISSIONS)[number], effect: i % 3 ? 'grant' as const : 'revoke' as const }));
const compileSamples: number[] = [];
let table = compileAccess(DEFAULT_MATRIX, people, overrides);
for (let i = 0; i < 200; i += 1) {
  const t = performance.now();
  table = compileAccess(DEFAULT_MATRIX, people, overrides, i);
  compileSamples.push(performance.now() - t);
}
variants.push(summarize('access_compile_500_people', compileSamples));
const BATCH = 1000;
const checkSamples: number[] = [];
for (let round = 0; round < 300; round += 1) {
  const t = performance.now();
  for (let i = 0; i < BATCH; i += 1) table.authorize(`p${(round * 7 + i) % 500}`, 'refund', { amountMinor: (i * 9973) % 900_000, saleCashierId: `p${i % 13}` });
  checkSamples.push((performance.now() - t) / BATCH);
}
const sortedChecks = [...checkSamples].sort((a, b) => a - b);
variants.push(summarize('access_authorize_one_check', checkSamples, { checks_per_sample: BATCH, p50_us: Math.round((sortedChecks[Math.floor(sortedChecks.length / 2)] ?? 0) * 1e6) / 1000 }));

const appendSamples: number[] = [];
for (let i = 0; i < 2000; i += 1) {
  const t = performance.now();
  appendAudit(journal.sqlite, { kind: 'sale', actor: `p${i % 9}`, data: { order: `o-${i}`, amountMinor: 12_345 + i, provider: 'koshelek' } });
  appendSamples.push(performance.now() - t);
}
variants.push(summarize('audit_append_own_transaction', appendSamples, { rss_mb: rssMb() }));

const verifySamples: number[] = [];
for (let i = 0; i < 10; i += 1) {
  const t = performance.now();
  if (!verifyChain(journal.sqlite).ok) throw new Error('chain broken in bench');
  verifySamples.push(performance.now() - t);
}
variants.push(summarize('audit_verify_chain_2000_entries', verifySamples, { rss_mb: rssMb() }));

const hash = await hashPin('4821');
const pinSamples: number[] = [];
for (let i = 0; i < 20; i += 1) {
  const t = performance.now();
  await verifyPin('4821', hash);
  pinSamples.push(performance.now() - t);
}
variants.push(summarize('pin_verify_default_scrypt_cost', pinSamples, { rss_mb: rssMb() }));

const ledger = new BalanceLedger(journal.sqlite, 'bench', { config: () => ({ enabled: true }) });
ledger.topUp({ loyaltyId: 'L', amountMinor: 100_000_000, operationRef: 'seed' });
const debitSamples: number[] = [];
for (let i = 0; i < 1000; i += 1) {
  const t = performance.now();
  ledger.debit({ loyaltyId: 'L', amountMinor: 100, operationRef: `svc-${i}` });
  debitSamples.push(performance.now() - t);
}
variants.push(summarize('balance_debit_with_audit', debitSamples, { rss_mb: rssMb() }));

writeResults('people', variants, { notes: 'authorize = compiled table lookup; audit append and debit = WAL, synchronous=FULL, IMMEDIATE transaction' });
journal.close();
fs.rmSync(dir, { recursive: true, force: true });
