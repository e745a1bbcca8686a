// `paydesk audit verify [--head SEQ:HASH]` and `paydesk audit export [--from-seq N] [--out FILE]`:
// check the tamper-evident trail (naming the first broken entry) and export it as JSON lines that
// anyone can re-verify without Paydesk (docs/people-and-audit.md). Read-only: never migrates.
import fs from 'node:fs';
import type { Command } from 'commander';
import Database from 'better-sqlite3';
import { chainHead, exportJsonl, verifyChain, verifyHead } from '../../audit/log';
import { resolvePaths } from './report';

function openReadOnly(globals: { data?: string; config?: string }): Database.Database {
  const { journalFile } = resolvePaths(globals);
  if (!fs.existsSync(journalFile)) throw new Error(`no journal at ${journalFile} (set --data or $PAYDESK_DATA)`);
  const db = new Database(journalFile, { readonly: true, fileMustExist: true });
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'").get()) {
    db.close();
    throw new Error('this journal has no audit trail yet (created on next start)');
  }
  return db;
}

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('the tamper-evident audit trail');
  audit
    .command('verify')
    .description('verify the hash chain; exit 1 and name the first broken entry if it does not verify')
    .option('--head <seq:hash>', 'also check a head stored elsewhere (e.g. printed on a Z report)')
    .action((options: { head?: string }, command: Command) => {
      const db = openReadOnly(command.optsWithGlobals());
      try {
        const result = verifyChain(db);
        if (!result.ok) {
          const b = result.firstBroken;
          console.error(`audit trail BROKEN at entry ${b.seq} (${b.reason}): ${b.detail}. ${result.count} entries before it verify.`);
          process.exitCode = 1;
          return;
        }
        console.log(`audit trail OK: ${result.count} entries; head ${result.head.seq} ${result.head.hash}`);
        if (options.head) {
          const m = /^(\d+):([0-9a-f]{64})$/.exec(options.head);
          if (!m) throw new Error('--head must be SEQ:HASH (64 hex digits)');
          const check = verifyHead(db, { seq: Number(m[1]), hash: m[2] as string });
          if (!check.ok) {
            console.error(`stored head does not match: ${check.detail}`);
            process.exitCode = 1;
          } else console.log(`stored head ${m[1]} is in the chain`);
        }
      } finally {
        db.close();
      }
    });
  audit
    .command('export')
    .description('JSON lines {seq, entry, prev_hash, hash}, in sequence order')
    .option('--from-seq <n>', 'first entry', '1')
    .option('--out <file>', 'output file (default: stdout)')
    .action((options: { fromSeq: string; out?: string }, command: Command) => {
      const db = openReadOnly(command.optsWithGlobals());
      try {
        const fromSeq = Number(options.fromSeq);
        if (!Number.isSafeInteger(fromSeq) || fromSeq < 1) throw new Error('--from-seq must be a positive integer');
        const out = options.out ? fs.openSync(options.out, 'w', 0o600) : 1;
        for (const line of exportJsonl(db, { fromSeq })) fs.writeSync(out, line);
        if (options.out) {
          fs.closeSync(out);
          console.error(`exported to ${options.out}; head ${JSON.stringify(chainHead(db))}`);
        }
      } finally {
        db.close();
      }
    });
}
