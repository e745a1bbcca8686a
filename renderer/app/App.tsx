// The till's frame: navigation (F1–F3, F11, Alt+Q queue; F4 language), the current screen, and the status bar. Screen switches are
// blocked while a payment or refund is in flight so the cashier never loses its live status.
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { ScanResultView, StatusView } from '../../main/contract/api';
import type { Connection } from '../api/bridge';
import type { ConnectionState } from '../api/ws-bridge';
import { I18nContext, TEXTS, type I18n, type Lang } from '../lib/i18n';
import { KeyButton, useSuppressBrowserKeys } from '../lib/keys';
import { AccessScreen } from '../screens/AccessScreen';
import { useApprovingApi } from '../screens/ApprovalDialog';
import { JournalScreen } from '../screens/JournalScreen';
import { QueueScreen } from '../screens/QueueScreen';
import { PaymentsScreen } from '../screens/PaymentsScreen';
import { SignInNav, SignInScreen, useSignIn } from '../screens/SignInScreen';
import { RefundScreen } from '../screens/RefundScreen';
import { SaleScreen } from '../screens/SaleScreen';
import { ShiftScreen } from '../screens/ShiftScreen';
import { ShortcutHelp } from '../screens/ShortcutHelp';
import { StatusBar } from '../screens/StatusBar';
import { ApiContext } from './context';
import { TillSetupProvider } from './setup';
import { useWedgeScanner } from './useWedgeScanner';

type Screen = 'sale' | 'refund' | 'journal' | 'shift' | 'queue' | 'payments' | 'access';

export function App({ connection }: { connection: Connection }): ReactNode {
  const api = connection.api;
  const [lang, setLang] = useState<Lang | null>(null);
  const [screen, setScreen] = useState<Screen>('sale');
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<StatusView | null>(null);
  const [link, setLink] = useState<ConnectionState>(connection.state());
  const [scan, setScan] = useState<ScanResultView | null>(null);
  const [help, setHelp] = useState(false);
  // «?» opens the shortcut list unless the cashier is typing text (a name may contain «?»); the
  // number fields never take «?». Shift+F1 works everywhere.
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      const el = event.target as HTMLElement | null;
      const typingText = !!el && (el.tagName === 'TEXTAREA' || (el.tagName === 'INPUT' && (el as HTMLInputElement).inputMode !== 'decimal'));
      if ((event.key === '?' && !typingText) || (event.key === 'F1' && event.shiftKey)) {
        event.preventDefault();
        event.stopImmediatePropagation();
        setHelp((h) => !h);
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);
  useSuppressBrowserKeys();
  // A file dropped anywhere must never make the browser open it in place of the till (the Sale
  // screen takes image files itself; elsewhere a drop does nothing).
  useEffect(() => {
    const guard = (event: DragEvent): void => {
      if (Array.from(event.dataTransfer?.types ?? []).includes('Files')) event.preventDefault();
    };
    window.addEventListener('dragover', guard);
    window.addEventListener('drop', guard);
    return () => {
      window.removeEventListener('dragover', guard);
      window.removeEventListener('drop', guard);
    };
  }, []);

  useEffect(() => {
    const off = connection.onState(setLink);
    setLink(connection.state()); // it may have opened before this effect subscribed
    return off;
  }, [connection]);
  useEffect(() => {
    const offStatus = api.on('status', setStatus);
    const offScan = api.on('scan', setScan);
    return () => {
      offStatus();
      offScan();
    };
  }, [api]);
  useEffect(() => {
    if (link !== 'open') return;
    api.call('status.get', {}).then(setStatus).catch(() => undefined);
  }, [api, link]);
  useEffect(() => {
    if (status && lang === null) setLang(status.till.language);
  }, [status, lang]);

  useWedgeScanner(api, status?.scanner.wedge ?? null, (result) => setScan(result));
  // Who is signed in (docs/people-and-audit.md): with sign-in on, nobody or a locked till shows the sign-in screen.
  const people = useSignIn(api, link === 'open');
  const signedOut = !!people.state?.enabled && (people.state.person === null || people.state.locked);
  // Another person starts on the sale screen, never on the previous person's Payments or Rights.
  const personId = people.state?.person?.id ?? null;
  useEffect(() => {
    setScreen((s) => (s === 'payments' || s === 'access' ? 'sale' : s));
  }, [personId]);
  // Every screen's refund / cancel / Z / void asks for a supervisor on the spot when the core says so.
  const approving = useApprovingApi(api, people.state?.people ?? []);

  const current: Lang = lang ?? 'ru';
  const i18n = useMemo<I18n>(() => ({ lang: current, t: (key) => TEXTS[current][key], setLang }), [current]);
  useEffect(() => {
    document.documentElement.lang = current;
  }, [current]);
  const onBusy = useCallback((b: boolean) => setBusy(b), []);
  const onScanHandled = useCallback(() => setScan(null), []);
  const go = (next: Screen) => () => {
    if (busy) return;
    setScan(null); // a scan belongs to the sale on screen; never replay it on a later visit
    setScreen(next);
  };
  const t = i18n.t;
  // Alt+Q opens the receipt queue: every F-key is taken by some screen; the physical key (event.code) works in any layout.
  const toQueue = useRef<() => void>(() => undefined);
  toQueue.current = go('queue');
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (!event.altKey || event.ctrlKey || event.metaKey || event.code !== 'KeyQ') return;
      event.preventDefault();
      toQueue.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <ApiContext.Provider value={approving.api}>
      <I18nContext.Provider value={i18n}>
        <TillSetupProvider api={api} open={link === 'open'} status={status}>
        <div className="app" data-testid="app" data-screen={screen} data-lang={current}>
          <nav className="nav">
            <KeyButton k="F1" variant="nav" active={screen === 'sale'} disabled={busy && screen !== 'sale'} onPress={go('sale')} testId="nav-sale">{t('nav.sale')}</KeyButton>
            <KeyButton k="F2" variant="nav" active={screen === 'refund'} disabled={busy && screen !== 'refund'} onPress={go('refund')} testId="nav-refund">{t('nav.refund')}</KeyButton>
            <KeyButton k="F3" variant="nav" active={screen === 'journal'} disabled={busy && screen !== 'journal'} onPress={go('journal')} testId="nav-journal">{t('nav.journal')}</KeyButton>
            <KeyButton k="F11" variant="nav" active={screen === 'shift'} disabled={busy && screen !== 'shift'} onPress={go('shift')} testId="nav-shift">{t('nav.shift')}</KeyButton>
            <button type="button" className={`btn btn-nav btn-compact${screen === 'queue' ? ' active' : ''}`} disabled={busy && screen !== 'queue'} onClick={go('queue')} data-testid="nav-queue" data-key="Alt+Q"><kbd>Alt+Q</kbd><span>{current === 'ru' ? 'Чеки' : 'Receipts'}</span></button>
            {people.state ? (
              <SignInNav state={people.state} onChanged={people.refresh} active={screen}
                onPayments={people.state.rights.payments_section === 'allow' ? go('payments') : null}
                onAccess={people.state.enabled && (people.state.rights.manage_people === 'allow' || people.state.rights.edit_matrix === 'allow') ? go('access') : null} />
            ) : null}
            <span className="spacer" />
            <button type="button" className="btn btn-nav btn-help" data-testid="nav-help" title={t('nav.help')} aria-label={t('nav.help')} onClick={() => setHelp(true)}><kbd>?</kbd></button>
            <KeyButton k="F4" variant="nav" onPress={() => setLang(current === 'ru' ? 'en' : 'ru')} testId="nav-lang">{t('nav.lang')}</KeyButton>
          </nav>
          <main className="screen">
            {signedOut && people.state ? <SignInScreen key={people.state.person?.id ?? 'none'} state={people.state} onChanged={people.refresh} /> : null}
            {signedOut ? null : <>
            {screen === 'payments' ? <PaymentsScreen people={people.state?.people ?? []} /> : null}
            {screen === 'access' ? <AccessScreen /> : null}
            {screen === 'sale' ? <SaleScreen terminalId={status?.till.terminalId ?? 'POS'} onBusy={onBusy} onOpenJournal={() => setScreen('journal')} scan={scan} onScanHandled={onScanHandled} connection={link} /> : null}
            {screen === 'refund' ? <RefundScreen onBusy={onBusy} /> : null}
            {screen === 'journal' ? <JournalScreen /> : null}
            {screen === 'shift' ? <ShiftScreen onOpenJournal={() => setScreen('journal')} /> : null}
            {screen === 'queue' ? <QueueScreen /> : null}
            </>}
          </main>
          <StatusBar status={status} connection={link} />
          {help ? <ShortcutHelp onClose={() => setHelp(false)} /> : null}
          {approving.dialog}
        </div>
        </TillSetupProvider>
      </I18nContext.Provider>
    </ApiContext.Provider>
  );
}
