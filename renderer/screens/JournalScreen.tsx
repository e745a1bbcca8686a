// Journal: today's operations with their status; anything recovered after a restart is marked.
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import type { AdminCallView } from '../../main/contract/api';
import type { OperationView } from '../../main/contract/checkout';
import { useApi, useApiEvent } from '../app/context';
import { useTillSetup } from '../app/setup';
import { useI18n } from '../lib/i18n';
import { KeyButton } from '../lib/keys';
import { methodTitle } from '../lib/methods';
import { formatKop } from '../lib/money';
import { distinctTail } from '../lib/search';

const PAGE = 11;

function localDate(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function JournalScreen(): ReactNode {
  const api = useApi();
  const { t } = useI18n();
  const { methods } = useTillSetup();
  const [ops, setOps] = useState<OperationView[]>([]);
  const [page, setPage] = useState(0);
  const [calls, setCalls] = useState<AdminCallView[]>([]);

  const load = useCallback(async () => {
    try {
      const midnight = new Date();
      midnight.setHours(0, 0, 0, 0);
      const [found, called] = await Promise.all([
        api.call('operation.query', { date: localDate(), limit: 500 }),
        api.call('admin.calls', { since: midnight.toISOString() }),
      ]);
      setOps(found);
      setCalls(called);
    } catch {
      // the status bar shows connection problems
    }
  }, [api]);
  // A call or its answer (from the status bar or the sale screen) changes the status' adminCall.
  const callKey = useRef('');
  useApiEvent('status', (status) => {
    const key = JSON.stringify(status.adminCall);
    if (callKey.current !== key) void load();
    callKey.current = key;
  });
  useEffect(() => {
    void load();
  }, [load]);
  useApiEvent('operation', (operation) => {
    setOps((list) => {
      const i = list.findIndex((o) => o.id === operation.id);
      if (i < 0) return [operation, ...list];
      const copy = [...list];
      copy[i] = operation;
      return copy;
    });
  });

  const pages = Math.max(1, Math.ceil(ops.length / PAGE));
  const shown = ops.slice(page * PAGE, page * PAGE + PAGE);
  return (
    <section className="panel journal">
      <div className="journal-head">
        <h2>{t('journal.title')}</h2>
        <div className="actions">
          <KeyButton k="PageUp" onPress={() => setPage((p) => Math.max(0, p - 1))} disabled={page === 0}>{'◀'}</KeyButton>
          <span className="muted">{t('journal.page')} {page + 1}/{pages}</span>
          <KeyButton k="PageDown" onPress={() => setPage((p) => Math.min(pages - 1, p + 1))} disabled={page >= pages - 1}>{'▶'}</KeyButton>
          <KeyButton k="F5" onPress={() => void load()} testId="journal-refresh">{t('journal.refresh')}</KeyButton>
        </div>
      </div>
      <table className="grid" data-testid="journal">
        <thead>
          <tr><th>{t('journal.time')}</th><th>{t('journal.kind')}</th><th>{t('journal.order')}</th><th className="num">{t('journal.amount')}</th><th>{t('journal.status')}</th></tr>
        </thead>
        <tbody>
          {shown.length === 0 ? <tr><td colSpan={5} className="muted">{t('journal.empty')}</td></tr> : shown.map((op) => (
            <tr key={op.id} data-testid="journal-row" data-outcome={op.outcome ?? 'pending'} data-recovered={op.recovered}>
              <td>{new Date(op.createdAt).toLocaleTimeString('ru-RU')}</td>
              <td>{t(`kind.${op.kind}`)}{op.paymentType ? ` · ${methodTitle(methods, op.paymentType, op.provider)}` : ''}</td>
              <td className="ellipsis" title={op.orderId}>{distinctTail(op.orderId, shown.map((o) => o.orderId))}</td>
              <td className="num">{formatKop(op.amountKop)}</td>
              <td className={`st st-${op.outcome ?? 'pending'}`}>
                {op.phaseText}
                {op.recovered ? <span className="badge warn" data-testid="recovered"> ⟲ {t('journal.recovered')}</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {calls.length > 0 ? (
        <div className="admin-calls" data-testid="admin-calls">
          <div className="label">{t('journal.adminCalls')}</div>
          {calls.slice(0, 5).map((c) => (
            <div key={c.id} className="small" data-testid="admin-call-row" data-answered={c.answeredAt !== null}>
              {new Date(c.calledAt).toLocaleTimeString('ru-RU')} · {c.answeredAt ? `${t('journal.adminAnswered')} ${new Date(c.answeredAt).toLocaleTimeString('ru-RU')}` : t('journal.adminWaiting')}
            </div>
          ))}
        </div>
      ) : null}
    </section>
  );
}
