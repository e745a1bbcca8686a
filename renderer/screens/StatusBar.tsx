// Status bar: environment, connection health, scanner, shift (24-hour rule), config errors (hot reload), clock drift, time.
import { useEffect, useState, type ReactNode } from 'react';
import type { StatusView } from '../../main/contract/api';
import type { ConnectionState } from '../api/ws-bridge';
import { useI18n } from '../lib/i18n';
import { SafetyStatus } from './SafetyStatus';

export function StatusBar({ status, connection }: { status: StatusView | null; connection: ConnectionState }): ReactNode {
  const { t } = useI18n();
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
          <span className={`pill ${scannerKey === 'status.scanner.disconnected' ? 'bad' : ''}`} data-testid="status-scanner">{t(scannerKey)}</span>
          {problems.length > 0 ? (
            <span className="pill bad config" data-testid="status-config" title={[t('status.configKept'), ...problems.map((p) => `${p.path}: ${p.reason}`)].join('\n')}>
              {t('status.config')}: {problems[0]?.path}: {problems[0]?.reason}{problems.length > 1 ? ` (+${problems.length - 1})` : ''}
            </span>
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
