// Refund: find a payment (order id, transaction id, date) → full, partial (amount) or per-line refund
// → the refund's status to the end (events), then its slip or the cashier instruction.
import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { CashierErrorView, OperationView, RefundInput } from '../../main/contract/checkout';
import { asCashierError } from '../api/client';
import { useApi, useApiEvent } from '../app/context';
import { useI18n } from '../lib/i18n';
import { KeyButton, useKey } from '../lib/keys';
import { formatKop, parseQuantity, parseRublesToKop } from '../lib/money';
import { ErrorPanel } from './ErrorPanel';
import { SlipView } from './SlipView';

type Stage =
  | { kind: 'search' }
  | { kind: 'running'; refund: OperationView | null }
  | { kind: 'done'; refund: OperationView }
  | { kind: 'failed'; error: CashierErrorView; refund: OperationView | null };

function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function newKey(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

export function RefundScreen({ onBusy }: { onBusy: (busy: boolean) => void }): ReactNode {
  const api = useApi();
  const { t } = useI18n();
  const [query, setQuery] = useState({ orderId: '', transactionId: '', date: today() });
  const [found, setFound] = useState<OperationView[] | null>(null);
  const [selected, setSelected] = useState(0);
  const [amountText, setAmountText] = useState('');
  const [lineQty, setLineQty] = useState<Record<number, string>>({});
  const [stage, setStage] = useState<Stage>({ kind: 'search' });
  const stageRef = useRef(stage);
  stageRef.current = stage;
  const payment = found?.[selected] ?? null;

  // The idempotency key belongs to the cashier's intent (this payment, this amount), not to a button press:
  // a retry after a lost reply is the same refund; a finished refund lets the next intent mint a new key.
  const intent = useRef<{ sig: string; key: string } | null>(null);
  const keyFor = (sig: string): string => {
    if (intent.current?.sig !== sig) intent.current = { sig, key: newKey() };
    return intent.current.key;
  };

  const settle = (refund: OperationView): void => {
    if (refund.isFinal) intent.current = null;
    if (!refund.isFinal) {
      setStage({ kind: 'running', refund });
      onBusy(true);
      return;
    }
    onBusy(false);
    if (refund.outcome === 'refunded') setStage({ kind: 'done', refund });
    else setStage({ kind: 'failed', refund, error: refund.error ?? { key: `outcome.${refund.outcome ?? 'unknown'}`, ru: refund.phaseText, en: refund.phaseText, action: 'call_admin', severity: 'error' } });
  };

  useApiEvent('operation', (operation) => {
    const s = stageRef.current;
    if (s.kind === 'running' && s.refund?.id === operation.id) settle(operation);
  });

  const search = async (event?: FormEvent): Promise<void> => {
    event?.preventDefault();
    try {
      const result = await api.call('operation.query', {
        kind: 'payment',
        ...(query.orderId.trim() ? { orderId: query.orderId.trim() } : {}),
        ...(query.transactionId.trim() ? { transactionId: query.transactionId.trim() } : {}),
        ...(query.date ? { date: query.date } : {}),
        limit: 50,
      });
      setFound(result.filter((op) => op.outcome === 'paid' || op.outcome === 'refunded' || (op.refundableKop ?? 0) > 0));
      setSelected(0);
      setStage({ kind: 'search' });
    } catch (error) {
      setStage({ kind: 'failed', error: asCashierError(error), refund: null });
    }
  };

  const start = async (input: Omit<RefundInput, 'paymentOperationId' | 'clientRequestKey'>): Promise<void> => {
    if (!payment || stage.kind === 'running') return;
    setStage({ kind: 'running', refund: null });
    onBusy(true);
    try {
      const refund = await api.call('refund.start', { paymentOperationId: payment.id, clientRequestKey: keyFor(JSON.stringify([payment.id, input])), ...input });
      setStage({ kind: 'running', refund });
      settle(refund);
    } catch (error) {
      onBusy(false);
      setStage({ kind: 'failed', error: asCashierError(error), refund: null });
    }
  };

  const partial = (): void => {
    const amountKop = parseRublesToKop(amountText);
    if (amountKop && amountKop > 0) void start({ amountKop });
  };
  const byLines = (): void => {
    const lines = Object.entries(lineQty)
      .map(([lineNo, q]) => ({ lineNo: Number(lineNo), quantity: parseQuantity(q) ?? 0 }))
      .filter((l) => l.quantity > 0);
    if (lines.length > 0) void start({ lines });
  };

  const picking = stage.kind === 'search' && found !== null && found.length > 0;
  useKey('ArrowDown', () => setSelected((i) => Math.min((found?.length ?? 1) - 1, i + 1)), picking);
  useKey('ArrowUp', () => setSelected((i) => Math.max(0, i - 1)), picking);
  const canRefund = stage.kind === 'search' && !!payment && (payment.refundableKop ?? 0) > 0;

  return (
    <div className="refund">
      <section className="panel">
        <form className="search" onSubmit={(e) => void search(e)}>
          <label className="field"><span>{t('refund.orderId')}</span>
            <input data-testid="refund-order" autoFocus value={query.orderId} onChange={(e) => setQuery({ ...query, orderId: e.target.value })} /></label>
          <label className="field"><span>{t('refund.transactionId')}</span>
            <input data-testid="refund-tx" value={query.transactionId} onChange={(e) => setQuery({ ...query, transactionId: e.target.value })} /></label>
          <label className="field"><span>{t('refund.date')}</span>
            <input data-testid="refund-date" type="date" value={query.date} onChange={(e) => setQuery({ ...query, date: e.target.value })} /></label>
          <button type="submit" className="btn btn-primary" data-testid="refund-find"><kbd>Enter</kbd><span>{t('refund.find')}</span></button>
        </form>
        <div className="label">{found === null ? t('refund.pick') : found.length === 0 ? t('refund.none') : `${t('refund.found')} — ${t('refund.pick')}`}</div>
        <table className="grid" data-testid="refund-results">
          <tbody>
            {(found ?? []).slice(0, 6).map((op, i) => (
              <tr key={op.id} className={i === selected ? 'selected' : ''} onClick={() => setSelected(i)} data-testid="refund-row">
                <td className="col-time">{new Date(op.createdAt).toLocaleTimeString('ru-RU')}</td>
                <td className="ellipsis col-order" title={op.orderId}>{op.orderId}</td>
                <td className="num">{formatKop(op.amountKop)}</td>
                <td className="num" title={t('refund.refundable')}>↩ {formatKop(op.refundableKop ?? 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="panel refund-actions">
        {payment && stage.kind === 'search' ? (
          <>
            <div className="big-amount" data-testid="refund-selected">{payment.orderId} · {formatKop(payment.amountKop)}</div>
            <label className="field"><span>{t('refund.amount')}</span>
              <input data-testid="refund-amount" inputMode="decimal" value={amountText} onChange={(e) => setAmountText(e.target.value)} /></label>
            {payment.lines.length > 1 ? (
              <table className="grid small">
                <tbody>
                  {payment.lines.slice(0, 5).map((l) => (
                    <tr key={l.lineNo}>
                      <td>{l.name}</td><td className="num">{formatKop(l.totalKop)}</td><td className="num">×{l.quantity}</td>
                      <td><input className="qty" data-testid={`refund-line-${l.lineNo}`} inputMode="decimal" placeholder="0" value={lineQty[l.lineNo] ?? ''}
                        onChange={(e) => setLineQty({ ...lineQty, [l.lineNo]: e.target.value })} /></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
            <div className="actions">
              <KeyButton k="F5" variant="primary" onPress={() => void start({})} disabled={!canRefund} testId="refund-full">{t('refund.full')}</KeyButton>
              <KeyButton k="F6" onPress={partial} disabled={!canRefund || !parseRublesToKop(amountText)} testId="refund-partial">{t('refund.partial')}</KeyButton>
              <KeyButton k="F7" onPress={byLines} disabled={!canRefund || payment.lines.length < 2} testId="refund-lines">{t('refund.lines')}</KeyButton>
            </div>
          </>
        ) : null}
        {stage.kind === 'running' ? (
          <div className="live" data-testid="refund-status">
            <div className="label">{t('refund.status')}</div>
            <div className="phase" data-testid="refund-phase">{stage.refund?.phaseText ?? '…'}</div>
          </div>
        ) : null}
        {stage.kind === 'done' ? (
          <div className="result ok" data-testid="refund-result">
            <div className="result-title">✔ {t('refund.done')}: {formatKop(stage.refund.amountKop)}</div>
            <SlipView operation={stage.refund} />
            <KeyButton k="Enter" onPress={() => void search()} autoFocus testId="refund-back">{t('refund.back')}</KeyButton>
          </div>
        ) : null}
        {stage.kind === 'failed' ? (
          <ErrorPanel error={stage.error} onAction={() => void search()} context={{ operationId: stage.refund?.id, requestId: stage.refund?.requestId }} />
        ) : null}
      </section>
    </div>
  );
}
