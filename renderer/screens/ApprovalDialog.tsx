// Approval on the spot for every screen: when the core answers `access.needs_approval` to an action that
// takes an approval (refund, cancel, Z, tender void), this dialog asks for a supervisor's PIN or staff
// card and sends the same call again with it. The screens keep calling the API as before; the answer
// they get is the approved action's (or the refusal, if nobody approves). The core decides everything.
import { useMemo, useRef, useState, type ReactNode } from 'react';
import type { ApiInput, ApiMethod, ApiOutput, PaydeskApi } from '../../main/contract/api';
import type { ApprovalCredential } from '../../main/contract/people';
import { ApiCallError, asCashierError } from '../api/client';
import { useI18n } from '../lib/i18n';

const APPROVABLE: ReadonlySet<ApiMethod> = new Set<ApiMethod>(['refund.start', 'sale.cancel', 'shift.close', 'shift.voidTender']);

interface Pending {
  reason: string;
  resolve: (credential: ApprovalCredential | null) => void;
}

/** Wraps the API so approvable calls ask for a supervisor when the core says so; render `dialog`. */
export function useApprovingApi(api: PaydeskApi, people: { id: string; name: string }[]): { api: PaydeskApi; dialog: ReactNode } {
  const [pending, setPending] = useState<Pending | null>(null);
  const ask = (reason: string): Promise<ApprovalCredential | null> => new Promise((resolve) => setPending({ reason, resolve }));
  const askRef = useRef(ask);
  askRef.current = ask;
  const wrapped = useMemo<PaydeskApi>(() => ({
    on: api.on.bind(api),
    async call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>> {
      try {
        return await api.call(method, input);
      } catch (error) {
        if (!APPROVABLE.has(method) || !(error instanceof ApiCallError) || error.cashier.key !== 'access.needs_approval') throw error;
        // Ask until approved, or give the screen the refusal when the cashier closes the dialog.
        let last: unknown = error;
        for (;;) {
          const credential = await askRef.current(asCashierError(last).ru);
          if (!credential) throw last;
          try {
            return await api.call(method, { ...input, approval: credential } as ApiInput<M>);
          } catch (again) {
            last = again;
            if (!(again instanceof ApiCallError) || !again.cashier.key.match(/^(signin\.|approval\.|access\.needs_approval)/)) throw again;
          }
        }
      }
    },
  }), [api]);
  const dialog = pending ? <ApprovalDialog reason={pending.reason} people={people} onDone={(c) => { pending.resolve(c); setPending(null); }} /> : null;
  return { api: wrapped, dialog };
}

function ApprovalDialog({ reason, people, onDone }: { reason: string; people: { id: string; name: string }[]; onDone: (credential: ApprovalCredential | null) => void }): ReactNode {
  const { lang } = useI18n();
  const ru = lang === 'ru';
  const [approver, setApprover] = useState('');
  const [pin, setPin] = useState('');
  const [card, setCard] = useState('');
  const submit = (): void => {
    if (card.trim().length >= 4) onDone({ kind: 'card', code: card.trim() });
    else if (approver && pin) onDone({ kind: 'pin', personId: approver, pin });
  };
  return (
    <div role="dialog" aria-modal="true" data-testid="approval-dialog" style={{ position: 'fixed', inset: 0, background: 'rgba(0,0,0,.45)', display: 'flex', alignItems: 'center', justifyContent: 'center', zIndex: 50 }}>
      <form className="panel" style={{ width: 560, display: 'flex', flexDirection: 'column', gap: 10 }} onSubmit={(e) => { e.preventDefault(); submit(); }}>
        <h2>{ru ? 'Подтверждение старшего' : 'Supervisor approval'}</h2>
        <p className="error-text" style={{ fontSize: 18 }} data-testid="approval-reason">{reason}</p>
        <label className="field">{ru ? 'Подтверждает' : 'Approver'}
          <select value={approver} onChange={(e) => setApprover(e.target.value)} data-testid="approval-person">
            <option value="">—</option>
            {people.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
          </select>
        </label>
        <label className="field">{ru ? 'PIN-код старшего' : 'Supervisor PIN'}
          <input type="password" inputMode="numeric" autoComplete="off" value={pin} onChange={(e) => setPin(e.target.value)} data-testid="approval-pin" />
        </label>
        <label className="field">{ru ? 'или карта сотрудника' : 'or staff card'}
          <input type="password" autoComplete="off" value={card} onChange={(e) => setCard(e.target.value)} data-testid="approval-card" />
        </label>
        <div className="actions">
          <button type="submit" className="btn btn-primary" data-testid="approval-submit"><kbd>Enter</kbd><span>{ru ? 'Подтвердить' : 'Approve'}</span></button>
          <button type="button" className="btn" data-testid="approval-cancel" onClick={() => onDone(null)}>{ru ? 'Отмена' : 'Cancel'}</button>
        </div>
      </form>
    </div>
  );
}
