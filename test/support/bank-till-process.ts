// A till as a separate OS process for the bank crash tests: the real journal (SQLite file, real
// migrations, OperationStore) and the real OperationActor driving a Tochka payment link. It reports JSON
// lines on stdout; the test SIGKILLs it (from outside, or by a failpoint at an exact instant).
//   --do pay --order O --amount K --op ID --ext REFERENCE    start a payment
//   --do resume                                               recover what the journal holds
// PAYDESK_FAILPOINT: bank.before_create | bank.after_create | bank.after_poll (in the driver);
//   bank.before_journal_write | bank.after_journal_write (the write of the create's outcome).
import fs from 'node:fs';
import path from 'node:path';
import { LinkPaymentDriver, linkIntent } from '../../main/acquiring/driver';
import { parseLinkState, type LinkEvent, type LinkState } from '../../main/acquiring/machine';
import { openJournal } from '../../main/journal/database';
import { TochkaBank } from '../../main/payapi/tochka/adapter';
import { TOCHKA_PROVIDER, tochkaConfigSchema } from '../../main/payapi/tochka/config';
import { FailpointStore, runActorTill, tillArgs } from './actor-till';

const values = tillArgs();
const config = tochkaConfigSchema.parse(JSON.parse(fs.readFileSync(String(values.config), 'utf8')));
const journal = openJournal(path.join(String(values.data), 'journal.db'));
// Killed around the journal write of the create's outcome (the first write leaving 'creating').
const store = new FailpointStore(journal.sqlite, 'creating', 'bank');
const bank = new TochkaBank(config);

await runActorTill<LinkState, LinkEvent>(values, {
  journal, store, provider: TOCHKA_PROVIDER, parseState: parseLinkState, restarted: { type: 'restarted' },
  driver: (id, base, resumed) => new LinkPaymentDriver(id, base, bank, resumed),
  intent: (id) => {
    const amountMinor = Number(values.amount);
    return linkIntent({
      channel: 'link', revocable: false, operationId: id, provider: TOCHKA_PROVIDER, shiftId: null, orderId: String(values.order), amountMinor, currency: 'RUB', purpose: `Оплата заказа ${String(values.order)}`,
      methods: config.paymentModes, saveCard: false, savedConsumerId: null, lines: [{ name: 'Товар', priceMinor: amountMinor, quantity: 1 }],
      pollScheduleMs: config.timing.pollScheduleMs, unresolvedAfterMs: config.timing.unresolvedAfterMs,
    }, String(values.ext), Date.now());
  },
});
