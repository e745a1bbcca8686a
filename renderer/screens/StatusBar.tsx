// Status bar: environment, connection health, scanner, shift (24-hour rule), config errors (hot reload), clock drift, time.
import { useEffect, useState, type ReactNode } from 'react';
import type { StatusView } from '../../main/contract/api';
import type { ConnectionState } from '../api/ws-bridge';
import { useApi } from '../app/context';
import { useI18n, type Lang } from '../lib/i18n';
import { SafetyStatus } from './SafetyStatus';

/** The config's reasons are written for IT in English; the usual ones get a Russian line (the original stays below it). */
export function configReason(reason: string, lang: Lang): string {
  if (lang === 'en') return reason;
  const guess = /^unknown key; did you mean "([^"]+)"\?$/.exec(reason);
  if (guess) return `неизвестный ключ — возможно, имелось в виду «${guess[1] ?? ''}»`;
  if (reason === 'unknown key') return 'неизвестный ключ — проверьте написание';
  const json = /^invalid JSON(?: \(line (\d+), column (\d+)\))?/.exec(reason);
  if (json) return json[1] ? `файл не читается как JSON: строка ${json[1]}, позиция ${json[2] ?? ''}` : 'файл не читается как JSON';
  if (/too small|>=|at least/i.test(reason)) return 'значение меньше допустимого';
  if (/too big|<=|at most/i.test(reason)) return 'значение больше допустимого';
  if (/expected (number|string|boolean)/i.test(reason)) return 'значение не того типа';
  if (/invalid option|expected one of/i.test(reason)) return 'недопустимое значение';
  return 'значение не подходит';
}

export function StatusBar({ status, connection }: { status: StatusView | null; connection: ConnectionState }): ReactNode {
  const { t, lang } = useI18n();
  const api = useApi();
  const [configOpen, setConfigOpen] = useState(false);
  const [calling, setCalling] = useState(false);
  // The call is recorded by the core (time, shift) and comes back in the status: every window shows it.
  const callAdmin = (): void => {
    if (calling) return;
    setCalling(true);
    void api.call('admin.call', { reason: 'status bar' }).catch(() => undefined).finally(() => setCalling(false));
  };
  const adminCame = (): void => {
    void api.call('admin.answer', {}).catch(() => undefined);
  };
  const adminCall = status?.adminCall ?? null;
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(timer);
  }, []);
  const serial = status?.scanner.serial ?? null;
  const scannerKey = serial === null ? 'status.scanner.disabled'
    : serial.state === 'connected' ? 'status.scanner.connected'
      : serial.state === 'disabled' || serial.state === 'stopped' ? 'status.scanner.disabled' : 'status.scanner.disconnected';
  const problems = status?.config.problems ?? [];
  const shift = status?.shift ?? null;
  const minutesLeft = shift?.expiresAt ? Math.max(0, Math.floor((Date.parse(shift.expiresAt) - now.getTime()) / 60_000)) : null;
  const shiftText = shift === null ? '' : shift.state === 'none' ? t('status.shift.none')
    : shift.state === 'expired' ? `${t('status.shift.open')} №${shift.id ?? ''}: ${t('status.shift.expired')}`
      : shift.state === 'expires_soon' ? `${t('status.shift.expires_soon')} ${minutesLeft ?? 0} ${t('shift.minutes')}`
        : `${t('status.shift.open')} №${shift.id ?? ''}`;
  return (
    <footer className="statusbar" data-testid="statusbar">
      {connection === 'closed' || connection === 'unauthorized'
        ? <span className="pill bad" data-testid="status-core">{t(connection === 'closed' ? 'status.core.closed' : 'status.core.unauthorized')}</span> : null}
      {status ? (
        <>
          <span className={`pill env-${status.environment.mode}`} data-testid="status-env" data-mode={status.environment.mode}>{t(`status.env.${status.environment.mode}`)}</span>
          <SafetyStatus status={status} />
          <span className={`pill net-${status.health.payApi}`} data-testid="status-net" title={status.health.lastError ?? ''}>{t(`status.net.${status.health.payApi}`)}</span>
          {status.clock.warn && status.clock.skewMs !== null
            ? <span className="pill bad" data-testid="status-clock">{t('status.clock')} {Math.round(status.clock.skewMs / 1000)} {t('common.sec')}</span> : null}
          {shift ? (
            <span className={`pill shift-state-${shift.state}${shift.state === 'expired' ? ' bad' : ''}`} data-testid="status-shift" data-state={shift.state} data-forgotten={shift.forgotten}>
              {shiftText}{shift.forgotten && shift.state !== 'expired' ? ` · ${t('status.shift.forgotten')}` : ''}
            </span>
          ) : null}
          {shift?.environmentChanged ? <span className="pill bad" role="alert" data-testid="status-env-changed" title={t('status.envChangedLong')}>{t('status.envChanged')}</span> : null}
          <span className={`pill ${scannerKey === 'status.scanner.disconnected' ? 'bad' : ''}`} data-testid="status-scanner">{t(scannerKey)}</span>
          {/* A provider whose connection is degraded or down: its name and the cashier's instruction (full text on hover). */}
          {status.providers.filter((p) => p.health === 'degraded' || p.health === 'down').map((p) => (
            <span key={p.provider} role="status" className={`pill ${p.health === 'down' ? 'bad' : 'warn'}`} data-testid="status-provider-health" data-provider={p.provider} data-health={p.health}
              title={p.healthProblem?.ru ?? ''} style={{ maxWidth: '28em', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
              {p.title}: {p.healthProblem?.ru ?? t(`status.net.${p.health}`)}
            </span>
          ))}
          {adminCall ? (
            <span className="pill warn admin-call" role="status" data-testid="status-admin-called" data-called-at={adminCall.calledAt}>
              {t('status.adminCalled')} {new Date(adminCall.calledAt).toLocaleTimeString('ru-RU', { hour: '2-digit', minute: '2-digit' })}
              <button type="button" className="btn btn-plain small" data-testid="status-admin-came" onClick={adminCame}>{t('status.adminCame')}</button>
            </span>
          ) : (
            <button type="button" className="pill call-admin" data-testid="status-call-admin" disabled={calling} onClick={callAdmin}>{t('status.callAdmin')}</button>
          )}
          {problems.length > 0 ? (
            <button type="button" className="pill bad config" data-testid="status-config" aria-expanded={configOpen} onClick={() => setConfigOpen((o) => !o)}>
              {t('status.config')}: {problems[0]?.path}{problems.length > 1 ? ` (+${problems.length - 1})` : ''} — {t('status.configKept')} ▸
            </button>
          ) : null}
          {problems.length > 0 && configOpen ? (
            <div className="config-details" role="dialog" data-testid="status-config-details">
              <div className="config-details-title">{t('status.configTitle')}</div>
              <ul>
                {problems.map((p) => (
                  <li key={`${p.path}:${p.reason}`}><b>{p.path}</b>: {configReason(p.reason, lang)}<div className="muted">{p.reason}</div></li>
                ))}
              </ul>
              <div className="muted">{t('status.configHow')}</div>
            </div>
          ) : null}
          {problems.length === 0 ? (
            <>
              <span className="spacer" />
              <span className="muted">{status.till.storeName} · {status.till.terminalId}</span>
            </>
          ) : null}
        </>
      ) : <span className="spacer" />}
      <span className="clock" data-testid="status-clock-time">{now.toLocaleTimeString('ru-RU')}</span>
    </footer>
  );
}
