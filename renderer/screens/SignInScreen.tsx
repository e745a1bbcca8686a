// Sign-in and the locked till: choose yourself and type the PIN, or scan / type the staff card; Yandex ID
// for the roles that need it. The core decides everything (throttling, auto-lock, rights): this screen
// shows its answers. Also the hook the frame uses to know who is signed in (docs/people-and-audit.md).
import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { PaydeskApi } from '../../main/contract/api';
import type { CashierErrorView } from '../../main/contract/checkout';
import type { SignInStateView } from '../../main/contract/people';
import { asCashierError } from '../api/client';
import { useApi, useApiEvent } from '../app/context';
import { useI18n } from '../lib/i18n';
import { KeyButton } from '../lib/keys';

/** Who is signed in; refreshed on every status push (sign-in changes push one) and when auto-lock is due. */
export function useSignIn(api: PaydeskApi, linkOpen: boolean): { state: SignInStateView | null; refresh: () => void } {
  const [state, setState] = useState<SignInStateView | null>(null);
  const refresh = useCallback(() => {
    api.call('people.state', {}).then(setState).catch(() => undefined);
  }, [api]);
  useEffect(() => {
    if (linkOpen) refresh();
  }, [linkOpen, refresh]);
  useEffect(() => api.on('status', () => refresh()), [api, refresh]);
  // Auto-lock is decided by the core from idle time: look again just after it is due.
  useEffect(() => {
    if (!state?.lockInMs) return undefined;
    const timer = setTimeout(refresh, state.lockInMs + 250);
    return () => clearTimeout(timer);
  }, [state, refresh]);
  // Keys and clicks at the till are activity: tell the core now and then (never more than every 20 s).
  const last = useRef(0);
  useEffect(() => {
    if (!state?.enabled || !state.person || state.locked) return undefined;
    const onActivity = (): void => {
      const now = Date.now();
      if (now - last.current < 20_000) return;
      last.current = now;
      api.call('people.touch', {}).then(setState).catch(() => refresh());
    };
    window.addEventListener('keydown', onActivity, true);
    window.addEventListener('pointerdown', onActivity, true);
    return () => {
      window.removeEventListener('keydown', onActivity, true);
      window.removeEventListener('pointerdown', onActivity, true);
    };
  }, [api, state, refresh]);
  return { state, refresh };
}

export function SignInScreen({ state, onChanged }: { state: SignInStateView; onChanged: () => void }): ReactNode {
  const api = useApi();
  const { lang } = useI18n();
  const ru = lang === 'ru';
  const locked = state.locked && state.person !== null;
  const [personId, setPersonId] = useState<string>(locked ? state.person?.id ?? '' : '');
  const [pin, setPin] = useState('');
  const [card, setCard] = useState('');
  const [error, setError] = useState<CashierErrorView | null>(null);
  const [busy, setBusy] = useState(false);
  const [yandex, setYandex] = useState<{ attempt: string; userCode: string; verificationUrl: string } | null>(null);
  const pinRef = useRef<HTMLInputElement | null>(null);

  const submit = async (input: { kind: 'pin'; personId: string; pin: string } | { kind: 'card'; code: string }): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await api.call('people.signIn', input);
      setPin('');
      setCard('');
      onChanged();
    } catch (e) {
      setError(asCashierError(e));
      setPin('');
    } finally {
      setBusy(false);
    }
  };

  // A staff card read by the scanner arrives as a scan no customer-card template matches: try it as a
  // staff card. A customer's card (even one with a stale code) is not tried: every miss counts against
  // the till's sign-in throttle.
  useApiEvent('scan', (scan) => {
    const parsed = scan.scan.parsed;
    if (!parsed.ok && parsed.reason === 'wrong_prefix' && scan.scan.raw.length >= 4 && !busy) void submit({ kind: 'card', code: scan.scan.raw });
  });

  useEffect(() => {
    if (personId) pinRef.current?.focus();
  }, [personId]);

  // Yandex ID: poll once per 3 s while a code is on screen.
  useEffect(() => {
    if (!yandex) return undefined;
    let stop = false;
    const tick = async (): Promise<void> => {
      if (stop) return;
      try {
        const r = await api.call('people.yandexPoll', { attempt: yandex.attempt });
        if (r.state === 'signed_in') {
          setYandex(null);
          onChanged();
          return;
        }
        timer = setTimeout(() => void tick(), 3000);
      } catch (e) {
        setError(asCashierError(e));
        setYandex(null);
      }
    };
    let timer = setTimeout(() => void tick(), 3000);
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [api, yandex, onChanged]);

  const onPin = (e: FormEvent): void => {
    e.preventDefault();
    if (personId && pin) void submit({ kind: 'pin', personId, pin });
  };
  const onCard = (e: FormEvent): void => {
    e.preventDefault();
    if (card.trim().length >= 4) void submit({ kind: 'card', code: card.trim() });
  };

  return (
    <section className="panel" data-testid="signin" data-locked={locked} style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 16, height: '100%' }}>
      <div style={{ display: 'flex', flexDirection: 'column', gap: 8, overflow: 'auto' }}>
        <h2>{locked ? (ru ? `Касса заблокирована · ${state.person?.name ?? ''}` : `Till locked · ${state.person?.name ?? ''}`) : (ru ? 'Вход в кассу' : 'Sign in')}</h2>
        <div className="muted">{ru ? 'Выберите себя и введите PIN-код или приложите карту сотрудника.' : 'Choose yourself and enter your PIN, or scan your staff card.'}</div>
        {state.people.length === 0 ? (
          <p className="warn" data-testid="signin-nobody">{ru ? 'В кассе никто не заведён. ИТ: paydesk people add --name … --role super_administrator (PIN вводится в stdin).' : 'Nobody is enrolled. IT: paydesk people add --name … --role super_administrator (PIN on stdin).'}</p>
        ) : null}
        <div style={{ display: 'flex', flexWrap: 'wrap', gap: 6 }} data-testid="signin-people">
          {state.people.map((p) => (
            <button key={p.id} type="button" className={`btn${p.id === personId ? ' btn-primary' : ''}`} data-testid={`signin-person-${p.id}`} onClick={() => setPersonId(p.id)}>{p.name}</button>
          ))}
        </div>
      </div>
      <div style={{ display: 'flex', flexDirection: 'column', gap: 10 }}>
        <form onSubmit={onPin} className="field">
          <label className="field">{ru ? 'PIN-код' : 'PIN'}
            <input ref={pinRef} type="password" inputMode="numeric" autoComplete="off" value={pin} onChange={(e) => setPin(e.target.value)} disabled={!personId || busy} data-testid="signin-pin" />
          </label>
          <button type="submit" className="btn btn-primary" disabled={!personId || !pin || busy} data-testid="signin-submit"><kbd>Enter</kbd><span>{ru ? 'Войти' : 'Sign in'}</span></button>
        </form>
        <form onSubmit={onCard} className="field">
          <label className="field">{ru ? 'Карта сотрудника' : 'Staff card'}
            <input type="password" autoComplete="off" value={card} onChange={(e) => setCard(e.target.value)} disabled={busy} data-testid="signin-card" />
          </label>
        </form>
        {state.yandex.enabled ? (
          yandex ? (
            <div className="card-box" data-testid="signin-yandex-code">
              <div className="muted">{ru ? 'Откройте на телефоне' : 'Open on your phone'} {yandex.verificationUrl}</div>
              <div className="big-amount">{yandex.userCode}</div>
            </div>
          ) : (
            <KeyButton k={null} onPress={() => { api.call('people.yandexStart', {}).then(setYandex).catch((e: unknown) => setError(asCashierError(e))); }} testId="signin-yandex">{ru ? 'Войти через Яндекс' : 'Sign in with Yandex'}</KeyButton>
          )
        ) : null}
        {locked ? <button type="button" className="btn" data-testid="signin-signout" onClick={() => { api.call('people.signOut', {}).then(onChanged).catch(() => undefined); }}>{ru ? 'Завершить сеанс' : 'End the session'}</button> : null}
        {error ? <p className="error-text" role="alert" data-testid="signin-error" data-error-key={error.key} style={{ fontSize: 20 }}>{ru ? error.ru : error.en}</p> : null}
      </div>
    </section>
  );
}

/** The frame's bar is full already: these buttons are smaller than the F-key ones. */
const COMPACT = { minHeight: 0, padding: '1px 5px', fontSize: 11, gap: 4, borderWidth: 1 } as const;

export interface SignInNavProps {
  state: SignInStateView;
  onChanged: () => void;
  /** Open the Payments section / the access screen (null: this person may not). */
  onPayments: (() => void) | null;
  onAccess: (() => void) | null;
  active: string;
}

/**
 * The frame's people buttons: Payments (Ctrl+P), Access (Ctrl+M), lock (Ctrl+L), sign out. F1–F12 are
 * all taken by the screens, so these use Ctrl, which the screens' own keys ignore.
 */
export function SignInNav({ state, onChanged, onPayments, onAccess, active }: SignInNavProps): ReactNode {
  const api = useApi();
  const { lang } = useI18n();
  const ru = lang === 'ru';
  const lock = useCallback(() => { api.call('people.lock', {}).then(onChanged).catch(() => undefined); }, [api, onChanged]);
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (!event.ctrlKey || event.altKey) return;
      const key = event.code;
      const action = key === 'KeyL' ? lock : key === 'KeyP' ? onPayments : key === 'KeyM' ? onAccess : null;
      if (!action) return;
      event.preventDefault();
      action();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [lock, onPayments, onAccess]);
  const open = state.enabled ? state.person !== null && !state.locked : true;
  // Sign-in off: the bar stays as it was (it is full); Ctrl+P still opens the Payments section.
  if (!state.enabled || !state.person) return null;
  // Two small rows in one slot: the bar's F-key buttons already take most of its width.
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 2 }} data-testid="nav-people">
      <div style={{ display: 'flex', gap: 2 }}>
      {onPayments && open ? <button type="button" className={`btn btn-nav${active === 'payments' ? ' active' : ''}`} style={COMPACT} title="Ctrl+P" data-testid="nav-payments" onClick={onPayments}><span>{ru ? 'Платежи' : 'Payments'}</span></button> : null}
      {onAccess && open ? <button type="button" className={`btn btn-nav${active === 'access' ? ' active' : ''}`} style={COMPACT} title="Ctrl+M" data-testid="nav-access" onClick={onAccess}><span>{ru ? 'Права' : 'Rights'}</span></button> : null}
      </div>
      {state.enabled && state.person ? <SignedIn state={state} lock={lock} /> : null}
    </div>
  );
}

function SignedIn({ state, lock }: { state: SignInStateView; lock: () => void }): ReactNode {
  const { lang } = useI18n();
  if (!state.person) return null;
  return (
    <>
      <button type="button" className="btn btn-nav" style={COMPACT} title={`${state.person.roleName} · ${lang === 'ru' ? 'заблокировать, сменить сотрудника' : 'lock, switch person'} (Ctrl+L)`} data-testid="nav-lock" onClick={lock}>
        <span data-testid="signin-who" data-person={state.person.id} style={{ maxWidth: 110, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>{state.person.name}{state.warn ? ' ⏱' : ''}</span>
      </button>
    </>
  );
}
