// Queue (Alt+Q): background jobs the till still owes — fiscal receipts waiting, retrying (with the next
// attempt's time) or failed (attempts and the reason). The manager's «Повторить сейчас» (F6) tries the
// selected job again at once: the same job, never a second receipt (docs/outbox.md). Refreshes on every
// operation event and every few seconds, so a receipt that went out leaves the list by itself.
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { ApiOutput, QueueItemView } from '../../main/contract/api';
import { useApi, useApiEvent } from '../app/context';
import { useI18n, type Lang } from '../lib/i18n';
import { KeyButton, useKey } from '../lib/keys';
import { formatKop } from '../lib/money';

const REFRESH_MS = 5_000;

// This screen's own labels (kept here so the shared text table stays untouched by this capability).
const TEXT = {
  ru: {
    title: 'Очередь чеков', empty: 'Очередь пуста: все чеки отправлены', refresh: 'Обновить', retry: 'Повторить сейчас',
    time: 'Время', kind: 'Задание', order: 'Заказ', amount: 'Сумма', status: 'Состояние', attempts: 'Попыток',
    pending: 'В очереди', retrying: 'Повтор в', running: 'Отправляется', failed: 'Не пробит',
    retried: 'Задание отправлено повторно', notRetried: 'Это задание сейчас нельзя повторить (уже отправляется или выполнено)',
    failedHint: 'Чек не пробит: устраните причину (или позовите администратора) и нажмите «Повторить сейчас». Оплату повторно не принимайте.',
    block: 'Блок чека покупателя', print: 'Печать', printed: 'Блок чека напечатан', reason: 'Причина',
  },
  en: {
    title: 'Receipt queue', empty: 'The queue is empty: every receipt went out', refresh: 'Refresh', retry: 'Retry now',
    time: 'Time', kind: 'Job', order: 'Order', amount: 'Amount', status: 'State', attempts: 'Attempts',
    pending: 'Queued', retrying: 'Retry at', running: 'Sending', failed: 'Failed',
    retried: 'The job was sent again', notRetried: 'This job cannot be retried now (sending or already done)',
    failedHint: 'The receipt was not registered: fix the cause (or call IT), then press Retry now. Do not take payment again.',
    block: "Customer's receipt block", print: 'Print', printed: 'Receipt block printed', reason: 'Reason',
  },
} as const satisfies Record<Lang, Record<string, string>>;

const time = (iso: string | null): string => (iso ? new Date(iso).toLocaleTimeString('ru-RU') : '');

export function QueueScreen(): ReactNode {
  const api = useApi();
  const { lang } = useI18n();
  const tx = TEXT[lang];
  const [items, setItems] = useState<QueueItemView[]>([]);
  const [selected, setSelected] = useState(0);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setItems(await api.call('queue.list', {}));
    } catch {
      // the status bar shows connection problems
    }
  }, [api]);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);
  useApiEvent('operation', () => void load());
  useEffect(() => {
    setSelected((s) => Math.min(s, Math.max(0, items.length - 1)));
  }, [items.length]);

  const current = items[selected] ?? null;
  // The selected job's customer receipt block (provider ids, fiscal state): what «Печать» puts on paper.
  const [block, setBlock] = useState<ApiOutput<'receipt.block'>>(null);
  const currentOperation = current?.operationId ?? null;
  useEffect(() => {
    if (!currentOperation) {
      setBlock(null);
      return;
    }
    let live = true;
    api.call('receipt.block', { operationId: currentOperation }).then((b) => { if (live) setBlock(b); }).catch(() => undefined);
    return () => {
      live = false;
    };
  }, [api, currentOperation, items]);
  const print = async (): Promise<void> => {
    if (!currentOperation) return;
    try {
      const r = await api.call('receipt.print', { operationId: currentOperation, format: 'escpos' });
      setNote(r.printed ? tx.printed : r.error?.[lang === 'ru' ? 'ru' : 'en'] ?? '');
    } catch (error) {
      setNote(error instanceof Error ? error.message : String(error));
    }
  };
  const retry = async (): Promise<void> => {
    if (!current || busy) return;
    setBusy(true);
    try {
      const { retried } = await api.call('queue.retry', { jobId: current.id });
      setNote(retried ? tx.retried : tx.notRetried);
      await load();
    } catch (error) {
      setNote(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };
  useKey('ArrowDown', () => setSelected((s) => Math.min(items.length - 1, s + 1)), items.length > 0);
  useKey('ArrowUp', () => setSelected((s) => Math.max(0, s - 1)), items.length > 0);
  // A note belongs to the job it was about: a new selection starts clean.
  useEffect(() => {
    setNote(null);
  }, [currentOperation]);

  const statusText = (item: QueueItemView): string => {
    if (item.status === 'retrying') return `${tx.retrying} ${time(item.nextAttemptAt)}`;
    if (item.status === 'failed') return tx.failed;
    return tx[item.status];
  };

  return (
    <section className="panel journal" data-testid="queue-screen">
      <div className="journal-head">
        <h2>{tx.title}</h2>
        <div className="actions">
          <KeyButton k="F5" onPress={() => void load()} testId="queue-refresh">{tx.refresh}</KeyButton>
          <KeyButton k="F6" variant="primary" onPress={() => void retry()} disabled={!current || busy || current.status === 'running'} testId="queue-retry">{tx.retry}</KeyButton>
          <KeyButton k="F8" onPress={() => void print()} disabled={!block} testId="queue-print">{tx.print}</KeyButton>
        </div>
      </div>
      {note ? <div className="small" data-testid="queue-note" role="status">{note}</div> : null}
      <table className="grid" data-testid="queue">
        <thead>
          <tr><th>{tx.time}</th><th>{tx.kind}</th><th>{tx.order}</th><th className="num">{tx.amount}</th><th>{tx.status}</th><th className="num">{tx.attempts}</th></tr>
        </thead>
        <tbody>
          {items.length === 0 ? <tr><td colSpan={6} className="muted" data-testid="queue-empty">{tx.empty}</td></tr> : items.map((item, i) => (
            <tr key={item.id} data-testid="queue-row" data-status={item.status} data-job={item.id} className={i === selected ? 'selected' : undefined} onClick={() => setSelected(i)} aria-selected={i === selected}>
              <td>{time(item.createdAt)}</td>
              <td>{item.kindRu}</td>
              <td className="ellipsis" title={item.orderId ?? item.operationId}>{item.orderId ?? item.operationId}</td>
              <td className="num">{item.amountKop === null ? '' : formatKop(item.amountKop)}</td>
              <td className={`st st-${item.status === 'failed' ? 'failed' : 'pending'}`} data-testid="queue-status">{statusText(item)}</td>
              <td className="num">{item.attempts}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {current?.error ? <p className="small" data-testid="queue-reason"><b>{tx.reason}:</b> {lang === 'ru' ? current.error.ru : current.error.en}</p> : null}
      {current?.status === 'failed' ? <p className="small" data-testid="queue-failed-hint">{tx.failedHint}</p> : null}
      {block ? (
        <div className="slip" data-testid="receipt-block" aria-label={tx.block}>
          <div className="label">{tx.block}: {block.title}</div>
          {block.rows.map((r) => (
            <div key={r.parameter} className="small" data-testid="receipt-block-row" data-param={r.parameter}>{r.label}: <span className="mono">{r.value}</span></div>
          ))}
        </div>
      ) : null}
    </section>
  );
}
