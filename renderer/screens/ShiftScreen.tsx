// The manager's shift screen: the open shift (who, when, time left of the 24 hours, warnings), open /
// close (Z, reconciled with the payment providers), tenders taken outside them, the X or a Z report on
// screen (totals, payment types, tenders, every §7.2 field and the providers' ids per operation), print, export, last Zs.
import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type {
  PrintResultView, ShiftCurrentView, ShiftReportDto, ZSummaryView,
} from '../../main/contract/api';
import type { CashierErrorView } from '../../main/contract/checkout';
import { asCashierError } from '../api/client';
import { useApi, useApiEvent } from '../app/context';
import { TEXTS, useI18n, type TextKey } from '../lib/i18n';
import { paymentTypeLabel } from '../lib/labels';
import { methodTitle } from '../lib/methods';
import { useTillSetup } from '../app/setup';
import { KeyButton, useKey } from '../lib/keys';
import { formatKop, parseRublesToKop } from '../lib/money';
import { formatMinor } from '../../main/contract/currency';
import { ErrorPanel } from './ErrorPanel';

type View = { type: 'x' } | { type: 'z'; number: number };
type Notice = { text: string; testId: string; detail?: string; open?: 'csv' | 'pdf' };
type Failure = { error: CashierErrorView; reprint?: number };

const time = (iso: string | null): string => (iso ? new Date(iso).toLocaleTimeString('ru-RU') : '—');
const dateTime = (iso: string | null): string => (iso ? new Date(iso).toLocaleString('ru-RU') : '—');

export function ShiftScreen({ onOpenJournal }: { onOpenJournal: () => void }): ReactNode {
  const api = useApi();
  const { lang, t } = useI18n();
  const [current, setCurrent] = useState<ShiftCurrentView | null>(null);
  const [view, setViewState] = useState<View>({ type: 'x' });
  const [report, setReport] = useState<ShiftReportDto | null>(null);
  const [zList, setZList] = useState<ZSummaryView[]>([]);
  const [cashier, setCashierState] = useState(() => readManager());
  const setCashier = (value: string): void => {
    setCashierState(value);
    writeManager(value);
  };
  const [confirming, setConfirming] = useState(false);
  const [working, setWorking] = useState<null | 'open' | 'close' | 'print' | 'export' | 'tender'>(null);
  /** The tender entry being voided and the reason typed so far. */
  const [voiding, setVoiding] = useState<{ tenderId: number; reason: string } | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [tender, setTender] = useState({ kind: '', amount: '', direction: 'sale' as 'sale' | 'refund', note: '' });
  const [now, setNow] = useState(() => Date.now());
  // The ref moves with the choice, not with the next render: a refresh fired in between reads the new view.
  const viewRef = useRef(view);
  const setView = (next: View): void => {
    viewRef.current = next;
    setViewState(next);
  };
  const cashierRef = useRef<HTMLInputElement>(null);
  const amountRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);

  /**
   * Only the newest load may paint, and none while a shift change is on its way: a refresh begun before
   * the change (or during it) reads a mix of old view and new shift, e.g. the new shift beside the last Z.
   * Every load and every change bumps the generation; a load paints only if it is still current.
   */
  const generation = useRef(0);
  const changing = useRef(false);
  const load = useCallback(async (next: View = viewRef.current): Promise<void> => {
    const mine = ++generation.current;
    const stale = (): boolean => mine !== generation.current || changing.current;
    try {
      const [cur, list] = await Promise.all([api.call('shift.current', {}), api.call('report.list', { limit: 8 })]);
      if (stale()) return;
      // The shift card and its report change together: never the new shift beside the previous shift's Z.
      let nextReport: ShiftReportDto | null = null;
      let reportError: unknown = null;
      try {
        nextReport = next.type === 'z' ? await api.call('report.z', { number: next.number }) : cur.shift ? await api.call('report.x', {}) : null;
      } catch (error) {
        reportError = error;
      }
      if (stale()) return;
      setCurrent(cur);
      setZList(list);
      setTender((v) => (v.kind === '' || !cur.tenderKinds.includes(v.kind) ? { ...v, kind: cur.tenderKinds[0] ?? '' } : v));
      if (reportError !== null) throw reportError;
      setReport(nextReport);
      setNow(Date.now());
    } catch (error) {
      if (!stale()) setFailure({ error: asCashierError(error) });
    }
  }, [api]);
  useEffect(() => {
    void load();
  }, [load]);

  // New operations and shift changes (a sale opening the shift, another window closing it) refresh the X.
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const refreshSoon = useCallback(() => {
    if (pending.current) clearTimeout(pending.current);
    pending.current = setTimeout(() => {
      pending.current = null;
      void load();
    }, 250);
  }, [load]);
  useEffect(() => () => {
    if (pending.current) clearTimeout(pending.current);
  }, []);
  useApiEvent('operation', () => {
    if (viewRef.current.type === 'x') refreshSoon();
  });
  const shiftKey = useRef<string | null>(null);
  useApiEvent('status', (status) => {
    const key = `${status.shift.state}:${status.shift.id ?? ''}`;
    if (shiftKey.current !== null && shiftKey.current !== key) refreshSoon();
    shiftKey.current = key;
  });

  const shift = current?.shift ?? null;
  const name = (): string | null => {
    const n = cashier.trim();
    if (n !== '') return n;
    setNotice({ text: t('shift.nameRequired'), testId: 'shift-notice' });
    cashierRef.current?.focus();
    return null;
  };

  const run = async <T,>(what: NonNullable<typeof working>, fn: () => Promise<T>): Promise<T | null> => {
    if (working) return null;
    setWorking(what);
    setFailure(null);
    setNotice(null);
    // Printing and export change nothing the screen shows; the rest change the shift or its X.
    const changes = what !== 'print' && what !== 'export';
    if (changes) {
      changing.current = true;
      generation.current += 1;
    }
    let failed = false;
    try {
      return await fn();
    } catch (error) {
      failed = true;
      setFailure({ error: asCashierError(error) });
      return null;
    } finally {
      if (changes) {
        changing.current = false;
        generation.current += 1;
        // A refused change may still have moved something (an answer lost on the way): show what is true now.
        if (failed) void load();
      }
      setWorking(null);
    }
  };

  const openShift = async (): Promise<void> => {
    const n = name();
    if (!n) return;
    const opened = await run('open', () => api.call('shift.open', { cashier: n }));
    if (opened) {
      setView({ type: 'x' });
      await load({ type: 'x' });
    }
  };

  /** The till opened the shift at the first sale: the person working it puts their name on it. */
  const claimShift = async (): Promise<void> => {
    const n = name();
    if (!n) return;
    const claimed = await run('open', () => api.call('shift.claim', { cashier: n }));
    if (claimed) await load();
  };

  const askClose = (): void => {
    if (!shift || working) return;
    if (!name()) return;
    setFailure(null);
    setConfirming(true);
  };
  const closeShift = async (): Promise<void> => {
    setConfirming(false);
    const n = name();
    if (!n) return;
    const z = await run('close', () => api.call('shift.close', { cashier: n }));
    if (z && z.zNumber !== null) {
      const next: View = { type: 'z', number: z.zNumber };
      setView(next);
      setReport(z);
      // The Z is the proof the shift is closed: F5 (open the next one) works at once, not after the refresh
      // below has come back (on a slow till a cashier's F5 right after the Z was silently ignored).
      setCurrent((c) => (c ? { ...c, shift: null } : c));
      await load(next);
    } else {
      await load();
    }
  };

  const showPrint = (result: PrintResultView): void => {
    if (result.printed) setNotice({ text: t('report.printed'), testId: 'print-done' });
    else if (result.error) setFailure({ error: result.error, reprint: result.outputId });
  };
  const ref = (): { type: 'x' | 'z'; number?: number; shiftId?: number } => (view.type === 'z'
    ? { type: 'z', number: view.number }
    : { type: 'x', ...(report ? { shiftId: report.shift.id } : {}) });
  const print = async (): Promise<void> => {
    if (!report) return;
    const result = await run('print', () => api.call('report.print', ref()));
    if (result) showPrint(result);
  };
  /** The report as PDF on the computer's ordinary (A4) printer; the PDF stays in exports/ either way. */
  const printOs = async (): Promise<void> => {
    if (!report) return;
    const result = await run('print', () => api.call('report.printOs', ref()));
    if (!result) return;
    if (result.printed) setNotice({ text: t('report.printedOs'), testId: 'print-os-done' });
    else if (result.error) setFailure({ error: result.error });
  };
  const reprint = async (outputId: number): Promise<void> => {
    const result = await run('print', () => api.call('report.reprint', { outputId }));
    if (result) showPrint(result);
  };
  const exportAs = async (format: 'csv' | 'pdf' | 'txt'): Promise<void> => {
    if (!report) return;
    const result = await run('export', () => api.call('report.export', { ...ref(), format }));
    if (result) setNotice({ text: `${t('report.saved')}: ${result.fileName}`, detail: result.path, testId: 'export-saved', ...(format === 'txt' ? {} : { open: format }) });
  };

  /**
   * Opens the exported file: the kiosk gets a short-lived address on the till's own server and shows
   * it in a new window (Chromium's PDF viewer; CSV/text download); Electron hands it to the OS viewer.
   */
  const openAs = async (format: 'csv' | 'pdf'): Promise<void> => {
    if (!report) return;
    // The window is opened inside the click (a pop-up blocker allows that), then pointed at the file.
    const win = typeof window.open === 'function' ? window.open('about:blank', '_blank') : null;
    const result = await run('export', () => api.call('report.open', { ...ref(), format }));
    if (!result || !result.url) win?.close();
    if (!result) return;
    if (result.url) {
      if (win) {
        win.opener = null;
        win.location.href = new URL(result.url, window.location.href).href;
        setNotice({ text: `${t('report.opened')}: ${result.fileName}`, detail: result.path, testId: 'report-opened' });
      } else setNotice({ text: t('report.openBlocked'), detail: result.path, testId: 'report-opened' });
    } else setNotice({ text: `${result.opened ? t('report.opened') : t('report.saved')}: ${result.fileName}`, detail: result.path, testId: 'report-opened' });
  };

  const voidTender = async (event?: FormEvent): Promise<void> => {
    event?.preventDefault();
    if (!voiding) return;
    const n = name();
    if (!n) return;
    if (voiding.reason.trim().length < 3) {
      setNotice({ text: t('tender.voidNeedsReason'), testId: 'tender-notice' });
      return;
    }
    const row = await run('tender', () => api.call('shift.voidTender', { tenderId: voiding.tenderId, voidedBy: n, reason: voiding.reason.trim() }));
    if (row) {
      setVoiding(null);
      setNotice({ text: `${t('tender.voided')}: ${tenderLabel(row.kind)} ${formatKop(row.direction === 'sale' ? row.amountKop : -row.amountKop)}`, testId: 'tender-voided' });
      await load({ type: 'x' });
    }
  };

  const addTender = async (event?: FormEvent): Promise<void> => {
    event?.preventDefault();
    const amountKop = parseRublesToKop(tender.amount);
    if (!amountKop || amountKop <= 0) {
      setNotice({ text: t('tender.badAmount'), testId: 'tender-notice' });
      amountRef.current?.focus();
      return;
    }
    const row = await run('tender', () => api.call('shift.tender', {
      kind: tender.kind, amountKop, direction: tender.direction,
      ...(tender.note.trim() ? { note: tender.note.trim() } : {}), ...(cashier.trim() ? { cashier: cashier.trim() } : {}),
    }));
    if (row) {
      setTender((v) => ({ ...v, amount: '', note: '' }));
      setNotice({ text: `${t('tender.done')}: ${tenderLabel(row.kind)} ${formatKop(row.direction === 'sale' ? row.amountKop : -row.amountKop)}`, testId: 'tender-done' });
      if (viewRef.current.type !== 'x') setView({ type: 'x' });
      await load({ type: 'x' });
    }
  };

  const showX = (): void => {
    setView({ type: 'x' });
    void load({ type: 'x' });
  };
  const showZ = (number: number): void => {
    const next: View = { type: 'z', number };
    setView(next);
    void load(next);
  };

  // While the close is being confirmed, Enter means yes wherever the focus is (a focused button clicks itself).
  const closeRef = useRef(closeShift);
  closeRef.current = closeShift;
  useEffect(() => {
    if (!confirming) return undefined;
    const onKey = (event: KeyboardEvent): void => {
      if (event.key !== 'Enter' || event.altKey || event.ctrlKey || event.metaKey) return;
      if ((event.target as HTMLElement | null)?.tagName === 'BUTTON') return;
      event.preventDefault();
      void closeRef.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [confirming]);
  useKey('Escape', () => setConfirming(false), confirming);

  const tenderLabel = (kind: string): string => {
    const key = `tender.kind.${kind}`;
    return hasText(key) ? t(key) : kind;
  };
  const statusLabel = (status: string): string => {
    const key = `rst.${status}`;
    return hasText(key) ? t(key) : status;
  };

  const minutesLeft = shift ? Math.floor((Date.parse(shift.expiresAt) - now) / 60_000) : null;
  const leftText = minutesLeft === null ? '' : minutesLeft <= 0 ? t('shift.expired')
    : `${Math.floor(minutesLeft / 60)} ${t('shift.hours')} ${minutesLeft % 60} ${t('shift.minutes')}`;
  const busy = working !== null;

  return (
    <div className="shift" data-testid="shift-screen">
      <section className="panel shift-card" data-testid="shift-card" data-state={shift ? shift.status : 'none'}>
        <div className="label">{t('shift.title')}</div>
        {shift ? (
          <>
            <div className="shift-number" data-testid="shift-number">{t('shift.number')}{shift.id}</div>
            <dl className="kv">
              <dt>{t('shift.openedBy')}</dt><dd data-testid="shift-opened-by">{shift.openedBy === AUTO_OPENER ? t('shift.openedAuto') : shift.openedBy}</dd>
              <dt>{t('shift.openedAt')}</dt><dd>{dateTime(shift.openedAt)}</dd>
              <dt>{t('shift.left')}</dt><dd data-testid="shift-left" className={minutesLeft !== null && minutesLeft < (current?.warnBeforeMinutes ?? 60) ? 'warn' : ''}>{leftText}</dd>
              {current && current.unresolved.length > 0 ? <><dt>{t('shift.unresolved')}</dt><dd className="warn" data-testid="shift-unresolved">{current.unresolved.length}</dd></> : null}
            </dl>
          </>
        ) : (
          <div className="shift-none" data-testid="shift-none">
            {t('shift.none')}
            <div className="muted">{current?.autoOpenOnSale ? t('shift.autoOpen') : t('shift.manualOpen')}</div>
          </div>
        )}
        {(current?.warnings ?? []).map((w) => (
          <div key={w.key} className={`shift-warning ${w.key === 'shift.expires_soon' ? 'soon' : ''}`} data-testid="shift-warning" data-key={w.key}>
            {lang === 'ru' ? w.cashier.ru : w.cashier.en}
          </div>
        ))}
        <label className="field compact">
          <span>{t('shift.cashier')}</span>
          <input ref={cashierRef} data-testid="shift-cashier" value={cashier} maxLength={64} onChange={(e) => setCashier(e.target.value)} />
        </label>
        <div className="row">
          <KeyButton k="F5" variant="primary" onPress={() => void openShift()} disabled={busy || shift !== null || confirming} testId="shift-open">{t('shift.open')}</KeyButton>
          <KeyButton k="F6" variant="danger" onPress={askClose} disabled={busy || shift === null || confirming} testId="shift-close">{t('shift.close')}</KeyButton>
          {shift?.openedBy === AUTO_OPENER ? (
            <KeyButton k={null} onPress={() => void claimShift()} disabled={busy || confirming} testId="shift-claim">{t('shift.claim')}</KeyButton>
          ) : null}
        </div>
      </section>

      <section className="panel tender">
        <div className="label">{t('tender.title')}</div>
        <form className="tender-form" onSubmit={(e) => void addTender(e)}>
          <select data-testid="tender-kind" aria-label={t('tender.kind')} value={tender.kind} disabled={!shift || busy} onChange={(e) => setTender({ ...tender, kind: e.target.value })}>
            {(current?.tenderKinds ?? []).map((k) => <option key={k} value={k}>{tenderLabel(k)}</option>)}
          </select>
          <select data-testid="tender-direction" aria-label={t('tender.sale')} value={tender.direction} disabled={!shift || busy} onChange={(e) => setTender({ ...tender, direction: e.target.value === 'refund' ? 'refund' : 'sale' })}>
            <option value="sale">{t('tender.sale')}</option>
            <option value="refund">{t('tender.refund')}</option>
          </select>
          <input ref={amountRef} data-testid="tender-amount" inputMode="decimal" placeholder={t('tender.amount')} value={tender.amount} disabled={!shift || busy} onChange={(e) => setTender({ ...tender, amount: e.target.value })} />
          <input data-testid="tender-note" placeholder={t('tender.note')} maxLength={200} value={tender.note} disabled={!shift || busy} onChange={(e) => setTender({ ...tender, note: e.target.value })} />
          <button type="submit" className="btn btn-primary small" disabled={!shift || busy} data-testid="tender-add"><kbd>Enter</kbd><span>{t('tender.add')}</span></button>
        </form>
      </section>

      <section className="panel zlist">
        <div className="label">{t('report.lastZ')}</div>
        {zList.length === 0 ? <div className="muted">{t('report.noZ')}</div> : (
          <div className="zlist-scroll">
            <table className="grid compact" data-testid="z-list">
              <thead><tr><th>Z</th><th>{t('col.closed')}</th><th className="num">{t('col.net')}</th></tr></thead>
              <tbody>
                {zList.map((z) => (
                  <tr key={z.zNumber} data-testid="z-row" data-z={z.zNumber} className={view.type === 'z' && view.number === z.zNumber ? 'selected' : ''} onClick={() => showZ(z.zNumber)}>
                    <td>№{z.zNumber}</td>
                    <td>{dateTime(z.closedAt)}</td>
                    <td className="num">{z.tillNet.map((n) => formatMinor(n.netKop, n.currency)).join(' · ')}{z.differences ? <span className="warn"> ⚠{z.differences}</span> : null}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="panel report" data-testid="report" data-type={report?.type ?? 'none'} data-z={report?.zNumber ?? undefined}>
        <div className="report-head">
          <h2 data-testid="report-title">
            {report ? (report.type === 'z' ? `${t('report.z')}${report.zNumber ?? ''}` : t('report.x')) : t('report.x')}
            {report && report.environment !== null && report.environment !== 'production' ? (
              <span className="env-mark" role="note" data-testid="report-env-mark" data-environment={report.environment}
                title={t(report.environment === 'emulator' ? 'report.envEmulator' : 'report.envTest')}>
                {t(report.environment === 'emulator' ? 'report.envEmulatorShort' : 'report.envTestShort')}
              </span>
            ) : null}
            {report ? <span className="muted"> · {t('shift.number')}{report.shift.id} · {t('report.generated')} {time(report.generatedAt)}</span> : null}
          </h2>
          <div className="row">
            <KeyButton k="F7" onPress={showX} disabled={busy || !shift} active={view.type === 'x'} testId="report-show-x">{t('report.showX')}</KeyButton>
            <KeyButton k="F8" onPress={() => void print()} disabled={busy || !report} testId="report-print">{t('report.print')}</KeyButton>
            <KeyButton k={null} onPress={() => void printOs()} disabled={busy || !report} testId="report-print-os">{t('report.printOs')}</KeyButton>
            <KeyButton k="F9" onPress={() => void exportAs('csv')} disabled={busy || !report} testId="report-export-csv">CSV</KeyButton>
            <KeyButton k="F10" onPress={() => void exportAs('pdf')} disabled={busy || !report} testId="report-export-pdf">PDF</KeyButton>
            <KeyButton k={null} onPress={() => void exportAs('txt')} disabled={busy || !report} testId="report-export-txt">TXT</KeyButton>
          </div>
        </div>
        {voiding ? (
          <form className="confirm" data-testid="void-form" onSubmit={(e) => void voidTender(e)}>
            <label className="field compact">
              <span>{t('tender.voidReason')}</span>
              <input data-testid="void-reason" autoFocus maxLength={200} value={voiding.reason} onChange={(e) => setVoiding({ ...voiding, reason: e.target.value })} />
            </label>
            <div className="row">
              <button type="submit" className="btn btn-danger small" disabled={busy} data-testid="void-confirm"><kbd>Enter</kbd><span>{t('tender.voidConfirm')}</span></button>
              <button type="button" className="btn btn-plain small" onClick={() => setVoiding(null)} data-testid="void-cancel">{t('tender.voidCancel')}</button>
            </div>
          </form>
        ) : null}

        {confirming ? (
          <div className="confirm" data-testid="close-confirm" role="alertdialog">
            <p>{t('shift.confirm')}</p>
            <div className="row">
              <KeyButton k={null} variant="danger" onPress={() => void closeShift()} testId="close-confirm-yes" autoFocus><kbd>Enter</kbd> {t('shift.confirmYes')}</KeyButton>
              <KeyButton k={null} onPress={() => setConfirming(false)} testId="close-confirm-no"><kbd>Esc</kbd> {t('shift.confirmNo')}</KeyButton>
            </div>
          </div>
        ) : null}
        {working === 'close' ? <div className="working" data-testid="shift-closing">{t('shift.closing')}</div> : null}
        {failure ? (
          <ErrorPanel error={failure.error} context={failure.reprint ? { outputId: String(failure.reprint) } : {}}
            onAction={(action) => {
              if (action === 'check_status') onOpenJournal();
              else if (action === 'retry' && failure.reprint !== undefined) void reprint(failure.reprint);
              else setFailure(null);
            }} />
        ) : null}
        {notice ? (
          <div className="notice" data-testid={notice.testId}>
            {notice.text}
            {notice.open ? (
              <button type="button" className="btn btn-plain small" data-testid="report-open" data-format={notice.open} disabled={busy}
                onClick={() => void openAs(notice.open ?? 'pdf')}>{t('report.open')} {notice.open.toUpperCase()}</button>
            ) : null}
            {notice.detail ? <div className="notice-detail" data-testid={`${notice.testId}-path`}>{notice.detail}</div> : null}
          </div>
        ) : null}

        {report ? <ReportBody report={report} tenderLabel={tenderLabel} statusLabel={statusLabel}
          onVoid={report.type === 'x' && shift !== null && report.shift.id === shift.id && !busy ? (tenderId) => setVoiding({ tenderId, reason: '' }) : null} /> : (
          <div className="muted" data-testid="report-empty">{t('report.noReport')}</div>
        )}
      </section>
    </div>
  );
}

// The manager's name survives leaving the screen (and a reload of the window), not the session.
const MANAGER_KEY = 'paydesk.shift.manager';
function readManager(): string {
  try {
    return sessionStorage.getItem(MANAGER_KEY) ?? '';
  } catch {
    return '';
  }
}
function writeManager(value: string): void {
  try {
    sessionStorage.setItem(MANAGER_KEY, value);
  } catch {
    // storage unavailable: the field just starts empty next time
  }
}

/** Labels for values the core may add later (an unknown tender kind or status) fall back to the raw value. */
function hasText(key: string): key is TextKey {
  return Object.prototype.hasOwnProperty.call(TEXTS.ru, key);
}

/** The core opens the shift at the first sale under this name (config shift.autoOpenOnSale). */
const AUTO_OPENER = 'auto';

const ID_COLUMNS: [TextKey, string][] = [
  ['col.orderId', 'orderId'], ['col.paymentTx', 'paymentTransactionId'], ['col.refundTx', 'refundTransactionId'], ['col.requestId', 'requestId'],
  ['col.paymentType', 'paymentType'],
];
/** Time, operation, amount: the columns before the ids. */
const LEAD_COLUMNS = 3;

/** A provider id of a line (own keys only), or null. */
function refOf(refs: Record<string, string>, key: string): string | null {
  return Object.prototype.hasOwnProperty.call(refs, key) ? (refs[key] ?? null) : null;
}

function ReportBody({ report, tenderLabel, statusLabel, onVoid }: {
  report: ShiftReportDto; tenderLabel: (k: string) => string; statusLabel: (s: string) => string; onVoid: ((tenderId: number) => void) | null;
}): ReactNode {
  const { t } = useI18n();
  const { methods } = useTillSetup();
  // The report's short names where it has one («СБП»), else the registry's title («Карта (терминал)»).
  const methodLabel = (type: string, provider?: string | null): string => {
    const short = paymentTypeLabel(type);
    return short !== type ? short : methodTitle(methods, type, provider);
  };
  const rec = report.reconciliation;
  const ops = report.operations;
  const refColumns = report.refColumns;
  const idColumns = ID_COLUMNS.length + refColumns.length;
  return (
    <>
      <div className="report-summary" data-testid="report-summary">
        {/* One set of blocks per currency (the till's first): amounts of two currencies are never added up. */}
        {report.currencies.map((c) => {
          const k = c.byKind;
          const m = (minor: number): string => formatMinor(minor, c.currency);
          const cur = report.currencies.length > 1 ? ` · ${c.currency}` : '';
          return (
            <div key={c.currency} className="currency-section" data-testid="currency-section" data-currency={c.currency} style={{ display: 'contents' }}>
              <div className="sum-block">
                <div className="label">{t('report.providers')}{cur}</div>
                <div className="kvline"><span>{t('report.in')}</span><b data-testid="total-in">{m(c.totals.electronicInKop)}</b></div>
                <div className="kvline"><span>{t('report.out')}</span><b data-testid="total-out">{m(-c.totals.electronicOutKop)}</b></div>
                <div className="kvline"><span>{t('report.net')}</span><b data-testid="total-electronic">{m(c.totals.electronicNetKop)}</b></div>
                <div className="muted small" data-testid="by-kind">
                  {t('report.payments')}: {k.payment.succeeded.count} {t('report.of')} {k.payment.all.count} · {t('report.cancels')}: {k.cancel.succeeded.count} {t('report.of')} {k.cancel.all.count} · {t('report.refunds')}: {k.refund.succeeded.count} {t('report.of')} {k.refund.all.count}
                  {c.crossShiftRefunds.count > 0 ? ` (${t('report.crossShift')}: ${c.crossShiftRefunds.count} / ${m(c.crossShiftRefunds.amountKop)})` : ''}
                </div>
              </div>
              <div className="sum-block">
                <div className="label">{t('report.byPaymentType')}{cur}</div>
                {c.byPaymentType.length === 0 ? <div className="muted small">—</div> : c.byPaymentType.map((p) => (
                  <div key={`${p.provider}-${p.paymentType}`} className="pt-block" data-testid="by-payment-type" data-payment-type={p.paymentType}>
                    <div className="kvline"><span>{methodLabel(p.paymentType, p.provider)}</span><b>{m(p.netKop)}</b></div>
                    <div className="muted small">
                      {t('report.paymentsN')}: {p.payments.count} · {m(p.payments.amountKop)}
                      {p.refunds.count > 0 ? <><br />{t('report.refundsN')}: {p.refunds.count} · {m(-p.refunds.amountKop)}</> : null}
                    </div>
                  </div>
                ))}
              </div>
              <div className="sum-block">
                <div className="label">{t('report.tenders')}{cur}</div>
                {c.tenders.length === 0 ? <div className="muted small">—</div> : c.tenders.map((x) => (
                  <div key={x.kind} className="kvline" data-testid="tender-total" data-kind={x.kind}>
                    <span>{tenderLabel(x.kind)}</span><b>{m(x.netKop)}</b>
                  </div>
                ))}
                <div className="kvline till-total"><span>{t('report.till')}</span><b data-testid="total-till">{m(c.totals.tillNetKop)}</b></div>
              </div>
            </div>
          );
        })}
        {report.unresolved.length > 0 ? <div className="warn small" data-testid="report-unresolved">{t('report.unresolved')}: {report.unresolved.length}</div> : null}
        {report.type === 'z' ? (
          <div className="sum-block">
            <div className="label">{t('report.reconciliation')}</div>
            <div data-testid="reconciliation" data-differences={rec ? rec.differences.length : 'none'} className={rec && rec.differences.length > 0 ? 'warn' : 'ok'}>
              {rec === null ? t('report.notReconciled') : rec.differences.length === 0 ? `✔ ${t('report.noDiff')}` : `⚠ ${t('report.diff')}: ${rec.differences.length}`}
            </div>
            {rec ? <div className="muted small">{t('report.checked')}: {rec.checked}</div> : null}
            {rec?.differences.slice(0, 3).map((d) => (
              <div key={d.operationId} className="small warn" data-testid="reconciliation-diff">{d.orderId}: {d.journal} ≠ {d.provider}</div>
            ))}
          </div>
        ) : null}
      </div>

      <div className="label">{t('report.ops')}</div>
      <div className="ops-scroll" data-testid="report-ops-scroll">
        <table className="ops" data-testid="report-ops">
          <colgroup>
            <col className="c-time" /><col className="c-op" /><col className="c-amount" /><col className="c-id" /><col className="c-id" />
            <col className="c-id" /><col className="c-id" /><col className="c-type" />
            {refColumns.map((c) => <col key={c.key} className="c-id" />)}
          </colgroup>
          <thead>
            <tr>
              <th>{t('col.time')}</th><th>{t('col.op')}</th><th className="num">{t('col.amount')}</th>
              {/* Russian headers; the protocol's field names (docs: the report's required ids) stay as the second line and the tooltip. */}
              {ID_COLUMNS.map(([key, field]) => <th key={field} title={field}>{t(key)}<span className="th-field">{field}</span></th>)}
              {/* The providers' own ids: their registered label, the stored key underneath. */}
              {refColumns.map((c) => <th key={`ref-${c.key}`} title={c.key} data-testid="ref-column">{c.label}<span className="th-field">{c.key}</span></th>)}
            </tr>
          </thead>
          <tbody>
            {ops.length === 0 && report.tenderEntries.length === 0 ? <tr><td colSpan={LEAD_COLUMNS + idColumns} className="muted">{t('report.noOps')}</td></tr> : null}
            {ops.map((l) => (
              <tr key={l.id} data-testid="report-op" data-op-id={l.id} data-status={l.status} className={`st-row-${l.status}`}>
                <td>{time(l.createdAt)}</td>
                <td>{t(`kind.${l.kind}`)} · <span className={`st st-${l.status}`}>{statusLabel(l.status)}</span>{l.crossShift ? ` ↩${l.parentShiftId ?? ''}` : ''}</td>
                <td className="num" data-currency={l.currency}>{formatMinor(l.kind === 'payment' ? l.amountKop : -l.amountKop, l.currency)}</td>
                <td className="id-cell" title={l.orderId ?? ''} data-testid="op-orderId">{l.orderId}</td>
                <td className="id-cell" title={l.paymentTransactionId ?? ''} data-testid="op-paymentTransactionId">{l.paymentTransactionId ?? '—'}</td>
                <td className="id-cell" title={l.refundTransactionId ?? ''} data-testid="op-refundTransactionId">{l.refundTransactionId ?? '—'}</td>
                <td className="id-cell" title={l.requestId ?? ''} data-testid="op-requestId">{l.requestId}</td>
                <td data-testid="op-paymentType" data-raw={l.paymentType ?? ''}>{l.paymentType ? methodLabel(l.paymentType, l.provider) : '—'}</td>
                {refColumns.map((c) => {
                  const value = refOf(l.refs, c.key);
                  return <td key={`ref-${c.key}`} className="id-cell" title={value ?? ''} data-testid={`op-${c.key}`}>{value ?? '—'}</td>;
                })}
              </tr>
            ))}
            {report.tenderEntries.map((e) => (
              <tr key={`tender-${e.id}`} data-testid="report-tender" data-kind={e.kind} className="tender-row">
                <td>{time(e.createdAt)}</td>
                <td>{tenderLabel(e.kind)} · {e.direction === 'sale' ? t('tender.sale') : t('tender.refund')}</td>
                <td className="num">{formatKop(e.direction === 'sale' ? e.amountKop : -e.amountKop)}</td>
                <td colSpan={idColumns} className="muted">
                  {t('report.tenderEntry')}{e.cashier ? ` · ${e.cashier}` : ''}{e.note ? ` · ${e.note}` : ''}
                  {onVoid ? <button type="button" className="btn btn-plain small" data-testid="tender-void" data-tender-id={e.id} onClick={() => onVoid(e.id)}>{t('tender.void')}</button> : null}
                </td>
              </tr>
            ))}
            {report.tenderVoids.map((v) => (
              <tr key={`void-${v.tenderId}`} data-testid="report-tender-void" data-kind={v.kind} className="tender-row voided">
                <td>{time(v.voidedAt)}</td>
                <td><s>{tenderLabel(v.kind)} · {v.direction === 'sale' ? t('tender.sale') : t('tender.refund')}</s></td>
                <td className="num"><s>{formatKop(v.direction === 'sale' ? v.amountKop : -v.amountKop)}</s></td>
                <td colSpan={idColumns} className="warn">{t('tender.voided')} · {v.voidedBy} · {v.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
