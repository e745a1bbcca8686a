// `paydesk sale --amount 150.00 --card <barcode>`: one whole Koshelek Pay sale from the command line,
// printing each step. IT keeps it to check a till after setup; with no credentials it runs against
// the embedded emulator.
import type { Command } from 'commander';
import { startCore } from '../../core/core';
import { toCashierError } from '../../errors/catalogue';
import { createLogger } from '../../log/logger';
import { formatKopecks, parseRoubles } from '../../money/kopecks';
import { resolvePaths } from './report';
import path from 'node:path';

interface SaleOptions {
  amount: string;
  card: string;
  order?: string;
  method?: string;
  refund?: string;
  timeout: string;
}

export function registerSale(program: Command): void {
  program
    .command('sale')
    .description('run one Koshelek Pay sale and print every step (embedded emulator when no credentials are configured)')
    .requiredOption('--amount <roubles>', 'amount in roubles, e.g. 150.00')
    .requiredOption('--card <barcode>', 'the scanned loyalty barcode (see `paydesk testcard`)')
    .option('--order <id>', 'order id (default: generated)')
    .option('--method <paymentType>', 'SBP or DOLYAME (default: what availability-info suggests, else SBP)')
    .option('--refund <roubles>', 'after a successful payment, refund this much')
    .option('--timeout <seconds>', 'give up waiting after this long', '60')
    .action(async (options: SaleOptions) => {
      const globals = program.opts<{ data?: string; config?: string }>();
      const paths = resolvePaths(globals);
      const amountKop = parseRoubles(options.amount);
      if (amountKop === null) throw new Error(`not an amount: ${options.amount}`);
      const step = (text: string) => console.log(`[${new Date().toISOString().slice(11, 23)}] ${text}`);
      const core = await startCore({ configFile: paths.configFile, dataDir: paths.dataDir, watchConfig: false, logger: createLogger({ file: path.join(paths.dataDir, 'logs', 'paydesk.log') }) });
      let exitCode = 0;
      try {
        const env = core.environment();
        step(`config ${paths.configFile}; journal ${core.journal.file}`);
        step(`Pay API: ${env.mode}${env.embeddedEmulator ? ' (embedded emulator: no credentials configured, no real money)' : ''} ${env.baseUrl}`);
        const scan = await core.verifyBarcode(options.card);
        if (!scan.ok) {
          step(`card rejected: ${scan.reason} — ${scan.detail}`);
          exitCode = 2;
          return;
        }
        step(`card ${scan.loyaltyId}: TOTP ${scan.verified ? 'verified' : 'not checked'}, payment token ${scan.payReady ? 'ready' : 'none (plain loyalty card)'}`);
        if (!scan.payReady || !scan.payToken) {
          exitCode = 2;
          return;
        }
        const card = { loyaltyId: scan.loyaltyId, payToken: scan.payToken };
        const orderId = options.order ?? `CLI-${Date.now().toString(36).toUpperCase()}`;
        const availability = await core.checkout.availability({ orderId, amountKop, card });
        step(`availability: ${availability.methods.map((m) => `${m.paymentType}=${m.available ? 'yes' : 'no'}`).join(', ')}; default=${availability.providerIsDefault}`);
        const method = options.method ?? availability.autoStart ?? availability.methods.find((m) => m.available)?.paymentType ?? 'SBP';
        const lastPhase = new Map<string, string>();
        core.checkout.onUpdate((op) => {
          if (lastPhase.get(op.id) === op.phase) return;
          lastPhase.set(op.id, op.phase);
          step(`${op.kind} ${op.phase}: ${op.phaseText}`);
        });
        const started = await core.checkout.pay({ orderId, amountKop, card, paymentType: method });
        step(`payment ${started.id}: order ${orderId}, ${formatKopecks(amountKop)} by ${method}, requestId ${started.requestId}`);
        const done = await core.checkout.waitFinal(started.id, Number(options.timeout) * 1000);
        if (!done.isFinal) {
          step('still not final: the till keeps resolving it in the background on the next start');
          exitCode = 3;
          return;
        }
        if (done.error) step(`cashier sees: ${done.error.ru}`);
        if (done.outcome !== 'paid') {
          step(`result: ${done.outcome}`);
          exitCode = 1;
          return;
        }
        const s = done.slip;
        step(`PAID — orderId ${done.orderId}, paymentTransactionId ${s?.paymentTransactionId ?? done.transactionId}, paymentType ${s?.paymentType ?? done.paymentType}, ${(s?.refs ?? []).map((r) => `${r.label} ${r.value}`).join(', ')}`);
        if (options.refund) {
          const refundKop = parseRoubles(options.refund);
          if (refundKop === null) throw new Error(`not an amount: ${options.refund}`);
          const refund = await core.checkout.refund({ paymentOperationId: done.id, amountKop: refundKop });
          const r = await core.checkout.waitFinal(refund.id, Number(options.timeout) * 1000);
          step(`refund ${r.outcome ?? r.phase}: refundTransactionId ${r.refTransactionId ?? '—'}, ${formatKopecks(r.amountKop)}`);
          if (r.outcome !== 'refunded') exitCode = 1;
        }
      } catch (error) {
        const e = toCashierError(error);
        step(`error: ${e.ru} (${e.key}${e.details ? `: ${e.details}` : ''})`);
        exitCode = 1;
      } finally {
        await core.close();
        process.exitCode = exitCode;
      }
    });
}
