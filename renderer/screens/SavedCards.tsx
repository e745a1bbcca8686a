// Saved cards of the scanned customer (docs/banks.md "Binding and saved cards"). On the sale screen: the
// customer's cards, each paid with Alt+1…Alt+9, and «Привязать карту» (Alt+0): a verification charge the
// customer pays by card on the bank's page (QR), refunded at once by the till. In the Payments section:
// a customer's cards with «Отвязать» (the manager's right). Alt + the physical digit works in any layout.
import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { CashierErrorView, OperationView } from '../../main/contract/checkout';
import type { SavedCardList, SavedCardView } from '../../main/contract/saved-cards';
import { asCashierError } from '../api/client';
import { useApi, useApiEvent } from '../app/context';
import { formatKop } from '../lib/money';
import { CustomerAction } from './CustomerAction';

const day = (iso: string): string => new Date(iso).toLocaleDateString('ru-RU');

/** Alt+<digit> by the physical key (event.code), so the Russian layout and the numpad-free keyboards both work. */
function useAltDigit(handler: (digit: number) => void, enabled: boolean): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    if (!enabled) return undefined;
    const onKey = (event: KeyboardEvent): void => {
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      const m = /^Digit([0-9])$/.exec(event.code);
      if (!m) return;
      event.preventDefault();
      ref.current(Number(m[1]));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [enabled]);
}

function useSavedCards(customerId: string | null): { list: SavedCardList | null; error: CashierErrorView | null; reload: () => Promise<void> } {
  const api = useApi();
  const [list, setList] = useState<SavedCardList | null>(null);
  const [error, setError] = useState<CashierErrorView | null>(null);
  const reload = useCallback(async () => {
    if (!customerId) {
      setList(null);
      return;
    }
    try {
      setList(await api.call('savedCards.list', { loyaltyId: customerId }));
      setError(null);
    } catch (e) {
      setList(null);
      setError(asCashierError(e));
    }
  }, [api, customerId]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { list, error, reload };
}

const cardTitle = (c: SavedCardView, i: number): string => `Карта ${i + 1} · ${c.providerTitle} · привязана ${day(c.createdAt)}`;

/** The sale screen's part: shown once a customer card is scanned and while the sale is being edited. */
export function SaleSavedCards({ customerId, canPay, onPay }: {
  customerId: string;
  /** A sale amount is there and nothing runs: a saved card may pay it. */
  canPay: boolean;
  onPay: (card: SavedCardView) => void;
}): ReactNode {
  const api = useApi();
  const { list, error, reload } = useSavedCards(customerId);
  const [binding, setBinding] = useState<OperationView | null>(null);
  const [bindError, setBindError] = useState<CashierErrorView | null>(null);
  const starting = useRef(false);
  const cards = list?.cards ?? [];
  const bindingLive = binding !== null && !binding.isFinal;

  useApiEvent('operation', (op) => {
    if (!binding || op.id !== binding.id || op.updatedAt < binding.updatedAt) return;
    setBinding(op);
    if (op.isFinal) void reload();
  });

  const bind = async (): Promise<void> => {
    if (starting.current || bindingLive || !list?.binding) return;
    starting.current = true;
    setBindError(null);
    try {
      // Its own order: the binding charge is not the sale's basket.
      const orderId = `bind-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
      setBinding(await api.call('savedCards.bind', { orderId, card: { loyaltyId: customerId } }));
    } catch (e) {
      setBindError(asCashierError(e));
    } finally {
      starting.current = false;
    }
  };
  const cancel = async (): Promise<void> => {
    if (!binding) return;
    try {
      setBinding(await api.call('sale.cancel', { operationId: binding.id }));
    } catch (e) {
      setBindError(asCashierError(e));
    }
  };

  useAltDigit((digit) => {
    if (digit === 0) void bind();
    else {
      const c = cards[digit - 1];
      if (c && canPay && !bindingLive) onPay(c);
    }
  }, true);

  const qr = binding && !binding.isFinal ? binding.customerAction : null;
  // A till whose providers offer no binding and no card of this customer: nothing to show (the card panel stays as it was).
  if (!binding && !bindError && cards.length === 0 && !list?.binding && (!error || error.key === 'saved_card.not_supported')) return null;
  return (
    <div className="saved-cards" data-testid="saved-cards" data-count={cards.length}>
      <div className="label">Сохранённые карты покупателя</div>
      {error ? <div className="error-text" role="alert" data-testid="saved-cards-error" data-error-key={error.key}>{error.ru}</div> : null}
      {list && cards.length === 0 ? <div className="muted" data-testid="saved-cards-none">Нет привязанных карт</div> : null}
      {cards.map((c, i) => (
        <button key={c.id} type="button" className="btn btn-plain" data-testid="saved-card" data-card={c.id} disabled={!canPay || bindingLive || i >= 9}
          data-key={`Alt+${i + 1}`} onClick={() => onPay(c)}>
          {i < 9 ? <kbd>Alt+{i + 1}</kbd> : null}<span>Оплатить: {cardTitle(c, i)}</span>
        </button>
      ))}
      {list?.binding ? (
        <button type="button" className="btn btn-plain" data-testid="bind-card" data-key="Alt+0" disabled={bindingLive} onClick={() => void bind()}>
          <kbd>Alt+0</kbd><span>Привязать карту (проверочное списание {formatKop(list.binding.amountKop)}, вернётся сразу)</span>
        </button>
      ) : null}
      {binding ? (
        <div className="binding" data-testid="binding" data-phase={binding.phase} data-outcome={binding.outcome ?? ''}>
          {binding.outcome === 'paid'
            ? <div className="ok" role="status" data-testid="binding-done">Карта привязана. Проверочные {formatKop(binding.amountKop)} касса вернёт покупателю автоматически.</div>
            : binding.isFinal
              ? <div className="error-text" role="alert" data-testid="binding-failed">Карта не привязана: {binding.error?.ru ?? binding.phaseText}</div>
              : <div role="status" data-testid="binding-progress">Привязка карты: {binding.phaseText}. Покупатель оплачивает {formatKop(binding.amountKop)} картой на странице банка.</div>}
          {qr ? <CustomerAction action={qr} /> : null}
          {bindingLive && binding.cancellable ? <button type="button" className="btn btn-plain small" data-testid="binding-cancel" onClick={() => void cancel()}>Отменить привязку</button> : null}
        </div>
      ) : null}
      {bindError ? <div className="error-text" role="alert" data-testid="binding-error" data-error-key={bindError.key}>{bindError.ru}</div> : null}
    </div>
  );
}

/** The Payments section's part: a customer's saved cards (by the loyalty number) and their unbinding. */
export function SavedCardsAdmin(): ReactNode {
  const api = useApi();
  const [text, setText] = useState('');
  const [customer, setCustomer] = useState<string | null>(null);
  const { list, error, reload } = useSavedCards(customer);
  const [unbindError, setUnbindError] = useState<CashierErrorView | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const show = (e: FormEvent): void => {
    e.preventDefault();
    setDone(null);
    setUnbindError(null);
    setCustomer(text.trim() === '' ? null : text.trim());
  };
  const unbind = async (c: SavedCardView, i: number): Promise<void> => {
    if (!customer) return;
    try {
      await api.call('savedCards.unbind', { loyaltyId: customer, savedCardId: c.id });
      setDone(`Карта ${i + 1} отвязана: касса больше не предлагает её покупателю.`);
      setUnbindError(null);
    } catch (e) {
      setUnbindError(asCashierError(e));
    }
    await reload();
  };
  return (
    <div className="card-box saved-cards-admin" data-testid="saved-cards-admin" style={{ marginTop: 8 }}>
      <form onSubmit={show} style={{ display: 'flex', gap: 8, alignItems: 'end', flexWrap: 'wrap' }}>
        <label className="field">Сохранённые карты покупателя — номер карты лояльности
          <input value={text} onChange={(e) => setText(e.target.value)} data-testid="saved-cards-customer" />
        </label>
        <button type="submit" className="btn" data-testid="saved-cards-show">Показать</button>
      </form>
      {error ? <p className="error-text" role="alert" data-testid="saved-cards-error" data-error-key={error.key}>{error.ru}</p> : null}
      {customer && list ? (
        list.cards.length === 0 ? <div className="muted" data-testid="saved-cards-none">У покупателя {customer} нет привязанных карт</div> : (
          <ul data-testid="saved-cards-list">
            {list.cards.map((c, i) => (
              <li key={c.id} data-testid="saved-card" data-card={c.id}>
                {cardTitle(c, i)}{' '}
                <button type="button" className="btn btn-danger small" data-testid="saved-card-unbind" onClick={() => void unbind(c, i)}>Отвязать</button>
              </li>
            ))}
          </ul>
        )
      ) : null}
      {done ? <p className="ok" role="status" data-testid="saved-cards-done">{done}</p> : null}
      {unbindError ? <p className="error-text" role="alert" data-testid="saved-cards-unbind-error" data-error-key={unbindError.key}>{unbindError.ru}</p> : null}
    </div>
  );
}
