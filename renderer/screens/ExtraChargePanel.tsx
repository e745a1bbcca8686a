// The basket grew after a paid sale: the cashier adds the lines here (F6) and takes the difference as an extra
// charge of the same sale (F7, «Доплата N ₽») through `sale.extraCharge`. Offered only for a sale whose view says
// its provider takes extra charges (`extraChargeable`, a neutral capability). The request key belongs to the
// cashier's intent (this sale, this amount): a double press, or a retry after a lost answer, is one charge; a
// finished (or refused) charge lets the next intent mint a new key. Each extra charge is refunded on its own row
// of the refund screen (docs/partner.md "At the till").
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { CashierErrorView, OperationView } from '../../main/contract/checkout';
import { asCashierError } from '../api/client';
import { useApi, useApiEvent } from '../app/context';
import { useI18n } from '../lib/i18n';
import { KeyButton } from '../lib/keys';
import { formatKop, lineTotalKop, parseQuantity, parseRublesToKop } from '../lib/money';

const TEXT = {
  ru: {
    title: 'Докупка к оплаченной продаже', name: 'Товар', price: 'Цена', qty: 'Кол-во', add: 'Добавить', charge: 'Доплата',
    errName: 'Введите название товара', errPrice: 'Введите цену, например 150,00', errQty: 'Количество — целое число от 1',
    running: 'Доплата', done: 'Доплата проведена', failed: 'Доплата не прошла',
  },
  en: {
    title: 'Items added to the paid sale', name: 'Item', price: 'Price', qty: 'Qty', add: 'Add', charge: 'Extra charge',
    errName: 'Type the item name', errPrice: 'Type the price, e.g. 150.00', errQty: 'Quantity is a whole number from 1',
    running: 'Extra charge', done: 'Extra charge done', failed: 'Extra charge failed',
  },
} as const;

/** How the refund screen marks an extra charge's own row (refunded on its own, apart from its sale). */
export const EXTRA_ROW_LABEL = { ru: 'Доплата', en: 'Extra charge' } as const;

interface AddedLine {
  name: string;
  priceKop: number;
  quantity: number;
}

function newKey(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/** What is left to charge: the added lines' total minus the extra charges that took money or may still take it. */
export function extraDueKop(lines: readonly AddedLine[], charges: readonly OperationView[]): number {
  const added = lines.reduce((s, l) => s + lineTotalKop(l.priceKop, l.quantity), 0);
  const taken = charges.filter((c) => !c.isFinal || c.outcome === 'paid').reduce((s, c) => s + c.amountKop, 0);
  return Math.max(0, added - taken);
}

/**
 * The sale screen is busy while an extra charge may take money: its request is on the way (no operation yet)
 * or a charge it started is not final. Like a running payment, this blocks F10 (new sale) and leaving the
 * screen: a new sale would drop the panel while the charge still runs.
 */
export function extraChargeBusy(sending: boolean, charges: readonly OperationView[]): boolean {
  return sending || charges.some((c) => !c.isFinal);
}

/** Shown by the F10 key while an extra charge blocks a new sale. */
export const EXTRA_BUSY_HINT = { ru: 'Идёт доплата: новая продажа — после её окончания', en: 'An extra charge is running: a new sale after it ends' } as const;

export function ExtraChargePanel({ sale, onBusy }: { sale: OperationView; onBusy?: (busy: boolean) => void }): ReactNode {
  const api = useApi();
  const { lang } = useI18n();
  const x = TEXT[lang === 'en' ? 'en' : 'ru'];
  const [lines, setLines] = useState<AddedLine[]>([]);
  const [draft, setDraft] = useState({ name: '', price: '', qty: '1' });
  const [lineError, setLineError] = useState<string | null>(null);
  /** The extra charges started from this panel, newest last, as the core last reported them. */
  const [charges, setCharges] = useState<OperationView[]>([]);
  const [error, setError] = useState<CashierErrorView | null>(null);
  const [sending, setSending] = useState(false);
  const inFlight = useRef(false);
  const intent = useRef<{ sig: string; key: string } | null>(null);
  const nameRef = useRef<HTMLInputElement>(null);

  const due = extraDueKop(lines, charges);
  // What changed (a line, the charge's state) is scrolled into view above the sticky action bar.
  const endRef = useRef<HTMLDivElement>(null);
  const lastState = charges.at(-1) ? `${charges.at(-1)?.id}:${String(charges.at(-1)?.isFinal)}` : '';
  useEffect(() => {
    if (lines.length > 0 || lastState) endRef.current?.scrollIntoView({ block: 'center' });
  }, [lines.length, lastState]);
  const running = charges.find((c) => !c.isFinal) ?? null;
  const last = charges.at(-1) ?? null;
  const busy = extraChargeBusy(sending, charges);
  useEffect(() => onBusy?.(busy), [busy, onBusy]);
  // Gone from the screen (the sale left 'done'): it holds nothing any more.
  useEffect(() => () => onBusy?.(false), [onBusy]);

  const track = (view: OperationView): void => {
    setCharges((cs) => {
      const at = cs.findIndex((c) => c.id === view.id);
      if (at < 0) return [...cs, view];
      // A push that overtook the answer is newer: never put a finished charge back to "running".
      const old = cs[at];
      if (old && (old.isFinal || old.updatedAt > view.updatedAt)) return cs;
      return cs.map((c, i) => (i === at ? view : c));
    });
    if (view.isFinal) intent.current = null;
  };
  useApiEvent('operation', (view) => {
    if (view.kind === 'payment' && view.parentId === sale.id) track(view);
  });
  // A running charge is also read back every second: a lost push never leaves it looking unfinished.
  const runningId = running?.id ?? null;
  useEffect(() => {
    if (!runningId) return undefined;
    const timer = setInterval(() => {
      api.call('operation.get', { operationId: runningId }).then((view) => { if (view) track(view); }).catch(() => undefined);
    }, 1_000);
    return () => clearInterval(timer);
  }, [runningId, api]);

  const addLine = (event?: FormEvent): void => {
    event?.preventDefault();
    const name = draft.name.trim();
    if (!name) { setLineError(x.errName); nameRef.current?.focus(); return; }
    const priceKop = parseRublesToKop(draft.price);
    if (!priceKop) { setLineError(x.errPrice); return; }
    const quantity = parseQuantity(draft.qty);
    if (!quantity) { setLineError(x.errQty); return; }
    setLines((ls) => [...ls, { name, priceKop, quantity }]);
    setLineError(null);
    setDraft({ name: '', price: '', qty: '1' });
    nameRef.current?.focus();
  };

  const charge = async (): Promise<void> => {
    if (inFlight.current || due <= 0 || running) return;
    inFlight.current = true;
    setSending(true);
    setError(null);
    const sig = JSON.stringify([sale.id, due, charges.length]);
    if (intent.current?.sig !== sig) intent.current = { sig, key: newKey() };
    try {
      track(await api.call('sale.extraCharge', { paymentOperationId: sale.id, amountKop: due, clientRequestKey: intent.current.key }));
    } catch (e) {
      setError(asCashierError(e));
    } finally {
      inFlight.current = false;
      setSending(false);
    }
  };

  const shownError = error ?? (last?.isFinal && last.outcome !== 'paid' ? last.error : null);
  return (
    <div className="extra-charge" data-testid="extra-charge">
      <div className="label">{x.title}</div>
      {/* One row: the result panel is narrow and scrolls under the sticky F9/F10 bar. */}
      <form className="line-form" onSubmit={addLine} style={{ gridTemplateColumns: '2fr 1fr 64px auto' }}>
        <input ref={nameRef} data-testid="extra-line-name" placeholder={x.name} value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
        <input data-testid="extra-line-price" placeholder={x.price} inputMode="decimal" value={draft.price} onChange={(e) => setDraft({ ...draft, price: e.target.value })} />
        <input data-testid="extra-line-qty" placeholder={x.qty} inputMode="numeric" value={draft.qty} onChange={(e) => setDraft({ ...draft, qty: e.target.value })} />
        <KeyButton k="F6" onPress={() => addLine()} testId="extra-add-line">{x.add}</KeyButton>
      </form>
      {lineError ? <div className="field-error" role="alert" data-testid="extra-line-error">{lineError}</div> : null}
      {lines.length > 0 ? (
        <ul className="confirm-lines" data-testid="extra-lines">
          {lines.map((l, i) => (
            <li key={`${l.name}-${i}`} data-testid="extra-line-row">{l.name}: {l.quantity} × {formatKop(l.priceKop)} = {formatKop(lineTotalKop(l.priceKop, l.quantity))}</li>
          ))}
        </ul>
      ) : null}
      {due > 0 ? (
        <div className="actions">
          <KeyButton k="F7" variant="primary" onPress={() => void charge()} disabled={sending || running !== null} testId="extra-charge-pay">
            {x.charge} {formatKop(due)}
          </KeyButton>
        </div>
      ) : null}
      {running ? <div className="phase" role="status" data-testid="extra-charge-status" data-state="running">{x.running} {formatKop(running.amountKop)}: {running.phaseText}</div> : null}
      {!running && last?.isFinal && last.outcome === 'paid'
        ? <div className="phase" role="status" data-testid="extra-charge-status" data-state="paid">✔ {x.done}: {formatKop(last.amountKop)}</div> : null}
      {!running && shownError ? (
        <div className="field-error" role="alert" data-testid="extra-charge-error" data-error-key={shownError.key}>{x.failed}: {shownError[lang === 'en' ? 'en' : 'ru']}</div>
      ) : null}
      <div ref={endRef} />
    </div>
  );
}
