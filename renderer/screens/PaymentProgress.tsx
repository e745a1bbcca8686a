// The live block of a payment in flight (docs/safety.md): what the till is doing, for how long, and — while
// the outcome is unknown — the truth: take no other payment and hand over no goods. The cashier can always
// ask for the cancel (queued until it can be sent) and park the payment to serve the next customer.
import type { ReactNode } from 'react';
import type { OperationView } from '../../main/contract/checkout';
import { useI18n } from '../lib/i18n';
import { KeyButton } from '../lib/keys';
import { formatMinor, formatSeconds } from '../lib/money';
import { CustomerAction } from './CustomerAction';

export interface PaymentProgressProps {
  operation: OperationView | null;
  elapsedMs: number;
  cancelling: boolean;
  onCancel: () => void;
  onPark: () => void;
}

const TEXT = {
  ru: {
    status: 'Статус', amount: 'Сумма', elapsed: 'Прошло', sec: 'с', cancel: 'Отменить оплату', cancelling: 'Отмена…', cancelQueued: 'Отмена запрошена: будет отправлена, как только это возможно',
    unknown: 'Результат оплаты пока неизвестен. Не принимайте другую оплату и не отдавайте товар, пока результат не известен.',
    park: 'Отложить и обслужить следующего', parkHint: 'Оплата продолжит проверяться в фоне; результат появится в строке состояния и журнале.',
  },
  en: {
    status: 'Status', amount: 'Amount', elapsed: 'Elapsed', sec: 's', cancel: 'Cancel payment', cancelling: 'Cancelling…', cancelQueued: 'Cancel requested: it is sent as soon as possible',
    unknown: 'The payment result is not known yet. Take no other payment and hand over no goods until it is.',
    park: 'Park and serve the next customer', parkHint: 'The payment keeps being checked in the background; its result appears in the status bar and journal.',
  },
} as const;

export function PaymentProgress({ operation, elapsedMs, cancelling, onCancel, onPark }: PaymentProgressProps): ReactNode {
  const { lang } = useI18n();
  const t = TEXT[lang === 'en' ? 'en' : 'ru'];
  const unknown = operation?.outcomeUnknown === true;
  const error = operation?.error ?? null;
  return (
    <div className="live" data-testid="live-status" data-unknown={unknown}>
      <div className="label">{t.status}</div>
      <div className="phase" data-testid="phase-text" data-phase={operation?.phase ?? 'sending'}>{operation?.phaseText ?? '…'}</div>
      {/* In the currency the provider charges (a foreign acquirer's tenge, not the till's roubles). */}
      {operation ? <div className="live-amount" data-testid="live-amount" data-currency={operation.currency ?? 'RUB'}>{t.amount}: {formatMinor(operation.amountKop, operation.currency ?? 'RUB')}</div> : null}
      <div className="elapsed" data-testid="elapsed">{t.elapsed}: {formatSeconds(elapsedMs)} {t.sec}</div>
      {operation?.customerAction && !operation.isFinal ? <CustomerAction action={operation.customerAction} /> : null}
      {/* One instruction at a time: the catalogue's for this phase, else the generic "unknown" one. */}
      {error && !operation?.isFinal
        ? <div className="notice" data-testid="live-error" data-error-key={error.key} data-unknown={unknown}>{lang === 'en' ? error.en : error.ru}</div>
        : unknown && elapsedMs > 3_000 ? <div className="notice" data-testid="outcome-unknown">{t.unknown}</div> : null}
      {operation?.cancelQueued ? <div className="muted" data-testid="cancel-queued">{t.cancelQueued}</div> : null}
      <div className="actions">
        <KeyButton k="Escape" variant="danger" onPress={onCancel} disabled={!operation?.cancellable || cancelling || operation.cancelQueued === true} testId="cancel">
          {cancelling ? t.cancelling : t.cancel}
        </KeyButton>
        <span title={t.parkHint}>
          <KeyButton k="F7" onPress={onPark} disabled={!operation || operation.isFinal} testId="park">{t.park}</KeyButton>
        </span>
      </div>
    </div>
  );
}
