// Fail-closed status pills (docs/safety.md): sales blocked by the config (red, with the instruction for IT)
// and unfinished operations held for their original connection. Shown in the status bar.
import type { ReactNode } from 'react';
import type { StatusView } from '../../main/contract/api';
import { useI18n } from '../lib/i18n';

export function SafetyStatus({ status }: { status: StatusView }): ReactNode {
  const { lang } = useI18n();
  const { blocked, heldOperations, unreadableOperations } = status.environment;
  const { parked, parkedPaid } = status.payments;
  const journalDown = status.health.journal === 'unavailable';
  return (
    <>
      {blocked ? (
        <span className="pill bad" data-testid="status-blocked" data-error-key={blocked.key} title={blocked.details ?? ''}>
          {lang === 'en' ? blocked.en : blocked.ru}
        </span>
      ) : null}
      {journalDown ? (
        <span className="pill bad" data-testid="status-journal">{lang === 'en' ? 'Journal unavailable: new sales refused' : 'Журнал недоступен: новые продажи запрещены'}</span>
      ) : null}
      {parked > 0 ? (
        <span className="pill" data-testid="status-parked" data-count={parked}>{lang === 'en' ? `Parked payments: ${parked}` : `Отложенные оплаты: ${parked}`}</span>
      ) : null}
      {parkedPaid > 0 ? (
        <span className="pill bad" data-testid="status-parked-paid" data-count={parkedPaid}>
          {lang === 'en' ? `Parked payments that ended paid: ${parkedPaid} — manager: refund or contact` : `Отложенные оплаты прошли: ${parkedPaid} — менеджеру: возврат или связь с покупателем`}
        </span>
      ) : null}
      {heldOperations > 0 ? (
        <span className="pill bad" data-testid="status-held" data-count={heldOperations}>
          {lang === 'en' ? `Operations waiting for their original connection: ${heldOperations}` : `Операции ждут исходного подключения: ${heldOperations}`}
        </span>
      ) : null}
      {unreadableOperations > 0 ? (
        <span className="pill bad" data-testid="status-unreadable" data-count={unreadableOperations}>
          {lang === 'en' ? `Operations with an unreadable saved state: ${unreadableOperations} — call IT` : `Операции с нечитаемым состоянием: ${unreadableOperations} — обратитесь к администратору`}
        </span>
      ) : null}
    </>
  );
}
