// Refund: one search box (any id fragment, card, amount or time; paged) → pick a payment → choose what
// to return (all F6, an amount F7, items F8) → a confirmation that shows exactly what goes back (F9
// performs it, Esc backs out) → the refund's status to the end (events), then its slip or the instruction.
// No key both selects and refunds: F5 means "add" / "refresh" / "open shift" elsewhere and is not used here.
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { OperationSearchResult } from '../../main/contract/api';
import type { CashierErrorView, OperationView, RefundInput } from '../../main/contract/checkout';
import { asCashierError } from '../api/client';
import { useApi, useApiEvent } from '../app/context';
import { useTillSetup } from '../app/setup';
import { useI18n } from '../lib/i18n';
import { KeyButton, useKey } from '../lib/keys';
import { localDateTime } from '../lib/labels';
import { methodTitle } from '../lib/methods';
import { distinctTail, parseRuDate } from '../lib/search';
import { formatKop, parseQuantity, parseRublesToKop } from '../lib/money';
import { ErrorPanel } from './ErrorPanel';
import { EXTRA_ROW_LABEL } from './ExtraChargePanel';
import { SlipView } from './SlipView';

const PAGE = 8;

type Request = Omit<RefundInput, 'paymentOperationId' | 'clientRequestKey'>;

type Stage =
  | { kind: 'search' }
  | { kind: 'confirm'; request: Request; amountKop: number; lines: { name: string; quantity: number; totalKop: number }[] }
  | { kind: 'running'; refund: OperationView | null }
  | { kind: 'done'; refund: OperationView }
  | { kind: 'failed'; error: CashierErrorView; refund: OperationView | null };

/** Today as the cashier reads it, "30.11.2026" (a browser date picker would follow the OS locale, e.g. 11/30/2026). */
function today(): string {
  const d = new Date();
  return `${String(d.getDate()).padStart(2, '0')}.${String(d.getMonth() + 1).padStart(2, '0')}.${d.getFullYear()}`;
}

function newKey(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

export function RefundScreen({ onBusy }: { onBusy: (busy: boolean) => void }): ReactNode {
  const api = useApi();
  const { t, lang } = useI18n();
  const { methods } = useTillSetup();
  const [text, setText] = useState('');
  const [date, setDate] = useState(today());
  const [result, setResult] = useState<OperationSearchResult | null>(null);
  const [offset, setOffset] = useState(0);
  const [selected, setSelected] = useState(0);
  const [amountText, setAmountText] = useState('');
  const [lineQty, setLineQty] = useState<Record<number, string>>({});
  const [stage, setStage] = useState<Stage>({ kind: 'search' });
  const [hint, setHint] = useState<string | null>(null);
  const stageRef = useRef(stage);
  stageRef.current = stage;
  const listRef = useRef<HTMLTableElement>(null);
  const found = result?.items ?? null;
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

  // Every view pushed while a refund starts: its final update may arrive before `refund.start` answers.
  const seen = useRef(new Map<string, OperationView>());
  useApiEvent('operation', (operation) => {
    if (operation.kind === 'refund') seen.current.set(operation.id, operation);
    const s = stageRef.current;
    if (s.kind === 'running' && s.refund?.id === operation.id) settle(operation);
  });

  // A refund that runs is also read back every second: a push lost on the way (a reconnect, an answer that
  // overtook it) never leaves the screen saying "sending" for a refund that has finished.
  const runningId = stage.kind === 'running' ? stage.refund?.id ?? null : null;
  useEffect(() => {
    if (!runningId) return undefined;
    const timer = setInterval(() => {
      api.call('operation.get', { operationId: runningId }).then((operation) => {
        const s = stageRef.current;
        if (operation && operation.isFinal && s.kind === 'running' && s.refund?.id === operation.id) settle(operation);
      }).catch(() => undefined);
    }, 1_000);
    return () => clearInterval(timer);
  }, [runningId]);

  const load = async (at: number, focusList: boolean): Promise<void> => {
    // The next keystroke belongs to the list (↑↓, PgUp/PgDn, then F6–F8). Focus it now, not when the
    // answer arrives: a late focus would steal the cursor from whatever the cashier did meanwhile.
    if (focusList) listRef.current?.focus();
    const day = parseRuDate(date);
    if (day === null) {
      setHint(t('refund.hint.date'));
      return;
    }
    try {
      const page = await api.call('operation.search', { text, ...(day ? { date: day } : {}), kind: 'payment', offset: at, limit: PAGE });
      setResult(page);
      setOffset(at);
      setSelected(0);
      setStage({ kind: 'search' });
      setHint(null);
    } catch (error) {
      setStage({ kind: 'failed', error: asCashierError(error), refund: null });
    }
  };
  const search = (event?: FormEvent): void => {
    event?.preventDefault();
    void load(0, true);
  };
  // First visit: today's payments, newest first (once; later searches are the cashier's).
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    void loadRef.current(0, false);
  }, []);

  const ask = (request: Request): void => {
    if (!payment || stage.kind !== 'search') return;
    const refundable = payment.refundableKop ?? 0;
    if (request.lines) {
      const lines = request.lines.map((r) => {
        const line = payment.lines.find((l) => l.lineNo === r.lineNo);
        const totalKop = line ? (r.quantity === line.quantity ? line.totalKop : Math.floor((line.totalKop * r.quantity) / line.quantity)) : 0;
        return { name: line?.name ?? String(r.lineNo), quantity: r.quantity, totalKop };
      });
      setStage({ kind: 'confirm', request, amountKop: lines.reduce((s, l) => s + l.totalKop, 0), lines });
    } else {
      setStage({ kind: 'confirm', request, amountKop: request.amountKop ?? refundable, lines: [] });
    }
  };

  const perform = async (): Promise<void> => {
    if (!payment || stage.kind !== 'confirm') return;
    const { request } = stage;
    setStage({ kind: 'running', refund: null });
    onBusy(true);
    try {
      const answered = await api.call('refund.start', { paymentOperationId: payment.id, clientRequestKey: keyFor(JSON.stringify([payment.id, request])), ...request });
      // A push that overtook the answer is newer: never let the older answer put a finished refund back to "sending".
      const pushed = seen.current.get(answered.id);
      const refund = pushed && (pushed.isFinal || pushed.updatedAt > answered.updatedAt) ? pushed : answered;
      setStage({ kind: 'running', refund });
      settle(refund);
    } catch (error) {
      onBusy(false);
      setStage({ kind: 'failed', error: asCashierError(error), refund: null });
    }
  };

  const partial = (): void => {
    const amountKop = parseRublesToKop(amountText);
    if (!amountKop) { setHint(t('refund.hint.amount')); return; }
    if (payment && amountKop > (payment.refundableKop ?? 0)) { setHint(`${t('refund.hint.tooMuch')} ${formatKop(payment.refundableKop ?? 0)}`); return; }
    ask({ amountKop });
  };
  const byLines = (): void => {
    const lines = Object.entries(lineQty)
      .map(([lineNo, q]) => ({ lineNo: Number(lineNo), quantity: parseQuantity(q) ?? 0 }))
      .filter((l) => l.quantity > 0);
    if (lines.length > 0) ask({ lines });
    else setHint(t('refund.hint.lines'));
  };

  const searching = stage.kind === 'search';
  const picking = searching && found !== null && found.length > 0;
  const total = result?.total ?? 0;
  useKey('ArrowDown', () => setSelected((i) => Math.min((found?.length ?? 1) - 1, i + 1)), picking);
  useKey('ArrowUp', () => setSelected((i) => Math.max(0, i - 1)), picking);
  useKey('PageDown', () => { if (offset + PAGE < total) void load(offset + PAGE, true); }, searching);
  useKey('PageUp', () => { if (offset > 0) void load(Math.max(0, offset - PAGE), true); }, searching);
  const canRefund = searching && !!payment && (payment.refundableKop ?? 0) > 0;
  const orderIds = (found ?? []).map((op) => op.orderId);
  const pages = Math.max(1, Math.ceil(total / PAGE));

  return (
    <div className="refund">
      <section className="panel">
        <form className="search" onSubmit={search}>
          <label className="field search-text"><span>{t('refund.query')}</span>
            <input data-testid="refund-query" autoFocus value={text} placeholder={t('refund.queryHint')} onChange={(e) => setText(e.target.value)} /></label>
          <label className="field"><span>{t('refund.date')}</span>
            <input data-testid="refund-date" inputMode="numeric" placeholder={t('refund.anyDay')} value={date} onChange={(e) => setDate(e.target.value)} /></label>
          <button type="submit" className="btn btn-primary" data-testid="refund-find"><kbd>Enter</kbd><span>{t('refund.find')}</span></button>
        </form>
        {hint && !payment ? <div className="field-error" role="alert">{hint}</div> : null}
        <div className="label" data-testid="refund-count">
          {found === null ? t('refund.pick') : total === 0 ? t('refund.none')
            : `${t('refund.found')}: ${total} · ${t('journal.page')} ${Math.floor(offset / PAGE) + 1}/${pages} — ${t('refund.pick')}`}
        </div>
        <table className="grid refund-list" data-testid="refund-results" tabIndex={0} ref={listRef} aria-label={t('refund.found')}>
          <tbody>
            {(found ?? []).map((op, i) => (
              <tr key={op.id} className={i === selected ? 'selected' : ''} onClick={() => setSelected(i)} data-testid="refund-row" data-order-id={op.orderId}>
                <td className="col-time">{localDateTime(op.createdAt).slice(11, 16)}</td>
                <td className="col-order" title={op.orderId}>
                  <div className="id-main">{distinctTail(op.orderId, orderIds)}</div>
                  <div className="id-sub">{op.parentId ? <b data-testid="refund-row-extra">{EXTRA_ROW_LABEL[lang === 'en' ? 'en' : 'ru']} · </b> : null}{methodTitle(methods, op.paymentType, op.provider)}{op.transactionId ? ` · ${t('refund.tx')} …${op.transactionId.slice(-8)}` : ''}{op.loyaltyId ? ` · ${t('refund.cardShort')} …${op.loyaltyId.slice(-4)}` : ''}</div>
                </td>
                <td className="num">{formatKop(op.amountKop)}</td>
                <td className="num" title={t('refund.refundable')}>↩ {formatKop(op.refundableKop ?? 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {total > PAGE ? (
          <div className="actions pager">
            <KeyButton k="PageUp" onPress={() => void load(Math.max(0, offset - PAGE), true)} disabled={!searching || offset === 0}>{t('refund.prev')}</KeyButton>
            <KeyButton k="PageDown" onPress={() => void load(offset + PAGE, true)} disabled={!searching || offset + PAGE >= total} testId="refund-next-page">{t('refund.next')}</KeyButton>
          </div>
        ) : null}
      </section>

      <section className="panel refund-actions">
        {payment && searching ? (
          <>
            <div className="big-amount" data-testid="refund-selected">{formatKop(payment.amountKop)} · {methodTitle(methods, payment.paymentType, payment.provider)}</div>
            <div className="muted refund-ids">{payment.orderId}<br />{localDateTime(payment.createdAt)}</div>
            <div className="muted">{t('refund.refundable')}: <b>{formatKop(payment.refundableKop ?? 0)}</b></div>
            <label className="field"><span>{t('refund.amount')}</span>
              <input data-testid="refund-amount" inputMode="decimal" value={amountText} onChange={(e) => { setAmountText(e.target.value); setHint(null); }} /></label>
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
            {hint ? <div className="field-error" role="alert" data-testid="refund-hint">{hint}</div> : null}
            <div className="actions">
              <KeyButton k="F6" onPress={() => ask({})} disabled={!canRefund} testId="refund-full">{t('refund.full')}</KeyButton>
              <KeyButton k="F7" onPress={partial} disabled={!canRefund} testId="refund-partial">{t('refund.partial')}</KeyButton>
              <KeyButton k="F8" onPress={byLines} disabled={!canRefund || payment.lines.length < 2} testId="refund-lines">{t('refund.lines')}</KeyButton>
            </div>
          </>
        ) : null}
        {stage.kind === 'confirm' && payment ? (
          <div className="confirm" data-testid="refund-confirm" role="alertdialog" aria-label={t('refund.confirmTitle')}>
            <div className="confirm-title">{t('refund.confirmTitle')}</div>
            <div className="confirm-amount" data-testid="refund-confirm-amount">{formatKop(stage.amountKop)}</div>
            <div>{t('refund.confirmTo')} {methodTitle(methods, payment.paymentType, payment.provider)} · {localDateTime(payment.createdAt)}</div>
            <div className="muted refund-ids">{payment.orderId}</div>
            {stage.lines.length > 0 ? (
              <ul className="confirm-lines">{stage.lines.map((l) => <li key={l.name}>{l.name} × {l.quantity} — {formatKop(l.totalKop)}</li>)}</ul>
            ) : <div>{stage.amountKop === (payment.refundableKop ?? 0) ? t('refund.confirmAll') : t('refund.confirmPart')}</div>}
            <div className="muted">{t('refund.confirmLeft')}: {formatKop(Math.max(0, (payment.refundableKop ?? 0) - stage.amountKop))}</div>
            <div className="actions">
              <KeyButton k="F9" variant="danger" onPress={() => void perform()} testId="refund-confirm-yes">{t('refund.confirmYes')}</KeyButton>
              <KeyButton k="Escape" onPress={() => setStage({ kind: 'search' })} testId="refund-confirm-no">{t('refund.confirmNo')}</KeyButton>
            </div>
          </div>
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
            <KeyButton k="Enter" onPress={() => void load(offset, true)} autoFocus testId="refund-back">{t('refund.back')}</KeyButton>
          </div>
        ) : null}
        {stage.kind === 'failed' ? (
          <ErrorPanel error={stage.error} onAction={() => void load(offset, true)} context={{ operationId: stage.refund?.id, requestId: stage.refund?.requestId }} />
        ) : null}
      </section>
    </div>
  );
}
