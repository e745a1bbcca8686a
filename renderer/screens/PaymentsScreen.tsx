// The Payments section (manager view): every operation across shifts and providers, searchable, with
// the order's status (Оплачено / Не оплачено / Возвращено / Частично возвращено), who did it, the
// service state and the customer's balance; the Refund button follows the rules and the matrix, and
// asks for a supervisor's PIN or card on the spot when the core says the refund needs approval.
import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { CashierErrorView } from '../../main/contract/checkout';
import type { PaymentRowView, PaymentsQueryInput } from '../../main/contract/people';
import { asCashierError } from '../api/client';
import { useApi, useApiEvent } from '../app/context';
import { useI18n } from '../lib/i18n';
import { KeyButton } from '../lib/keys';
import { formatKop, parseRublesToKop } from '../lib/money';
import { SavedCardsAdmin } from './SavedCards';

type ServiceState = 'scheduled' | 'in_progress' | 'completed' | 'cancelled';
const SERVICE_STATES: { id: ServiceState; ru: string }[] = [
  { id: 'scheduled', ru: 'Запланирована' }, { id: 'in_progress', ru: 'Идёт' }, { id: 'completed', ru: 'Оказана' }, { id: 'cancelled', ru: 'Отменена' },
];
const FIELD = { minWidth: 0, width: '100%', fontSize: 14 } as const;
const STATUSES: { id: NonNullable<PaymentsQueryInput['status']>; ru: string }[] = [
  { id: 'paid', ru: 'Оплачено' }, { id: 'not_paid', ru: 'Не оплачено' }, { id: 'refunded', ru: 'Возвращено' }, { id: 'partly_refunded', ru: 'Частично возвращено' },
];

export function PaymentsScreen({ people }: { people: { id: string; name: string }[] }): ReactNode {
  const api = useApi();
  const { lang } = useI18n();
  const ru = lang === 'ru';
  const [query, setQuery] = useState<PaymentsQueryInput>({ text: '' });
  const [rows, setRows] = useState<PaymentRowView[]>([]);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<CashierErrorView | null>(null);
  const [selected, setSelected] = useState<PaymentRowView | null>(null);

  const load = useCallback(async (q: PaymentsQueryInput) => {
    try {
      const found = await api.call('payments.search', { ...q, limit: 50 });
      setRows(found.items);
      setTotal(found.total);
      setError(null);
    } catch (e) {
      setError(asCashierError(e));
    }
  }, [api]);
  useEffect(() => {
    void load(query);
  }, [load, query]);
  useApiEvent('operation', () => void load(query));

  const setService = async (orderId: string, state: ServiceState): Promise<void> => {
    try {
      await api.call('order.service', { orderId, state });
      await load(query);
    } catch (e) {
      setError(asCashierError(e));
    }
  };

  const [text, setText] = useState('');
  const onSearch = (e: FormEvent): void => {
    e.preventDefault();
    setQuery((q) => ({ ...q, text }));
  };
  const set = (patch: Partial<PaymentsQueryInput>): void => setQuery((q) => {
    const next = { ...q, ...patch };
    for (const [k, v] of Object.entries(patch)) if (v === '' || v === undefined) delete (next as Record<string, unknown>)[k];
    return next;
  });

  return (
    <section className="panel journal" data-testid="payments">
      <form className="search" onSubmit={onSearch} style={{ gridTemplateColumns: 'repeat(6, minmax(0, 1fr))', fontSize: 13 }}>
        <label className="field">{ru ? 'Заказ, транзакция, карта, сумма' : 'Order, transaction, card, amount'}
          <input value={text} onChange={(e) => setText(e.target.value)} style={FIELD} data-testid="payments-text" />
        </label>
        <label className="field">{ru ? 'С' : 'From'}<input type="date" onChange={(e) => set({ from: e.target.value })} style={FIELD} data-testid="payments-from" /></label>
        <label className="field">{ru ? 'По' : 'To'}<input type="date" onChange={(e) => set({ to: e.target.value })} style={FIELD} data-testid="payments-to" /></label>
        <label className="field">{ru ? 'Статус' : 'Status'}
          <select onChange={(e) => set({ status: (e.target.value || undefined) as PaymentsQueryInput['status'] })} style={FIELD} data-testid="payments-status">
            <option value="">{ru ? 'любой' : 'any'}</option>
            {STATUSES.map((s) => <option key={s.id} value={s.id}>{s.ru}</option>)}
          </select>
        </label>
        <label className="field">{ru ? 'Способ' : 'Method'}<input onChange={(e) => set({ method: e.target.value.trim() })} style={FIELD} data-testid="payments-method" /></label>
        <label className="field">{ru ? 'Сотрудник' : 'Person'}
          <select onChange={(e) => set({ personId: e.target.value })} style={FIELD} data-testid="payments-person">
            <option value="">{ru ? 'любой' : 'any'}</option>
            {people.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
          </select>
        </label>
      </form>
      {error ? <p className="error-text" role="alert" data-testid="payments-error" data-error-key={error.key} style={{ fontSize: 20 }}>{ru ? error.ru : error.en}</p> : null}
      <div className="muted" data-testid="payments-total">{ru ? 'Найдено' : 'Found'}: {total}</div>
      <div style={{ overflow: 'auto', minHeight: 0, flex: 1 }}>
        <table className="grid" data-testid="payments-table">
          <thead>
            <tr>
              <th>{ru ? 'Время' : 'Time'}</th><th>{ru ? 'Заказ' : 'Order'}</th><th className="num">{ru ? 'Сумма' : 'Amount'}</th><th>{ru ? 'Способ' : 'Method'}</th>
              <th>{ru ? 'Статус' : 'Status'}</th><th>{ru ? 'Кто' : 'Who'}</th><th>{ru ? 'Услуга' : 'Service'}</th><th className="num">{ru ? 'Баланс' : 'Balance'}</th><th />
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? <tr><td colSpan={9} className="muted">{ru ? 'Ничего не найдено' : 'Nothing found'}</td></tr> : rows.map((r) => (
              <tr key={r.operation.id} data-testid="payments-row" data-order-status={r.orderStatus} data-operation={r.operation.id}>
                <td>{new Date(r.operation.createdAt).toLocaleString('ru-RU')}</td>
                <td className="ellipsis" title={r.operation.orderId}>{r.operation.orderId}</td>
                <td className="num">{formatKop(r.operation.amountKop)}</td>
                <td>{r.operation.providerTitle} · {r.operation.paymentType ?? ''}</td>
                <td data-testid="payments-row-status">{r.orderStatusText}{r.refundedKop > 0 ? ` (${formatKop(r.refundedKop)})` : ''}</td>
                <td data-testid="payments-row-person">{r.person?.name ?? (ru ? 'касса' : 'till')}{r.approver ? ` / ${r.approver.name}` : ''}</td>
                <td>
                  {/* A sale of a service: its state decides the refund (none while booked or under way). */}
                  <select style={{ ...FIELD, fontSize: 12 }} value={r.service?.state ?? ''} data-testid="payments-service" title={r.service?.date ?? ''}
                    onChange={(e) => { if (e.target.value) void setService(r.operation.orderId, e.target.value as ServiceState); }}>
                    <option value="">{ru ? 'товар' : 'goods'}</option>
                    {SERVICE_STATES.map((s) => <option key={s.id} value={s.id}>{s.ru}</option>)}
                  </select>
                </td>
                <td className="num">{r.balanceKop === null ? '' : formatKop(r.balanceKop)}</td>
                <td>
                  <button type="button" className="btn" disabled={r.refund.decision === 'deny'} title={r.refund.reason} data-testid="payments-refund" data-decision={r.refund.decision} onClick={() => setSelected(r)}>
                    {ru ? 'Возврат' : 'Refund'}{r.refund.decision === 'needs_approval' ? ' *' : ''}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {selected ? <RefundDialog row={selected} onDone={() => { setSelected(null); void load(query); }} /> : null}
      <SavedCardsAdmin />
    </section>
  );
}

/** The refund itself; a supervisor's approval, when the core asks for one, comes from the frame's ApprovalDialog. */
function RefundDialog({ row, onDone }: { row: PaymentRowView; onDone: () => void }): ReactNode {
  const api = useApi();
  const { lang } = useI18n();
  const ru = lang === 'ru';
  const [amount, setAmount] = useState((row.refundableKop / 100).toFixed(2).replace('.', ','));
  const [error, setError] = useState<CashierErrorView | null>(null);
  const [busy, setBusy] = useState(false);
  // One key per refund attempt: a retry after an approval stays the same refund.
  const [key] = useState(() => `pay-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`);
  const [done, setDone] = useState<string | null>(null);

  const send = async (): Promise<void> => {
    const amountKop = parseRublesToKop(amount);
    if (amountKop === null || amountKop <= 0) return;
    setBusy(true);
    setError(null);
    try {
      const op = await api.call('refund.start', { paymentOperationId: row.operation.id, amountKop, clientRequestKey: key });
      setDone(op.phaseText);
    } catch (e) {
      setError(asCashierError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="card-box" data-testid="refund-dialog" style={{ marginTop: 8 }}>
      <div className="label">{ru ? 'Возврат по заказу' : 'Refund of order'} {row.operation.orderId} · {ru ? 'можно вернуть' : 'refundable'} {formatKop(row.refundableKop)}</div>
      {done ? (
        <div>
          <p className="ok" data-testid="refund-dialog-done">{done}</p>
          <KeyButton k="Escape" onPress={onDone} testId="refund-dialog-close">{ru ? 'Закрыть' : 'Close'}</KeyButton>
        </div>
      ) : (
        <div style={{ display: 'flex', gap: 8, alignItems: 'end', flexWrap: 'wrap' }}>
          <label className="field">{ru ? 'Сумма, ₽' : 'Amount, ₽'}<input inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} data-testid="refund-dialog-amount" /></label>
          <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void send()} data-testid="refund-dialog-send">{ru ? 'Вернуть' : 'Refund'}{row.refund.decision === 'needs_approval' ? (ru ? ' (с подтверждением)' : ' (approval)') : ''}</button>
          <button type="button" className="btn" onClick={onDone} data-testid="refund-dialog-cancel">{ru ? 'Отмена' : 'Cancel'}</button>
        </div>
      )}
      {error ? <p className="error-text" role="alert" data-testid="refund-dialog-error" data-error-key={error.key} style={{ fontSize: 18 }}>{ru ? error.ru : error.en}</p> : null}
    </div>
  );
}
