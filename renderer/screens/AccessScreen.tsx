// People and the access matrix, for those allowed: the matrix (role × right → можно / с подтверждением
// / нельзя) edited live, one right granted to or taken from one person, and a new person enrolled. The
// core checks every change (no escalation, no lock-out, stale edits refused) and audits it.
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { CashierErrorView } from '../../main/contract/checkout';
import type { AccessView } from '../../main/contract/people';
import { PERMISSION_IDS } from '../../main/contract/people';
import { asCashierError } from '../api/client';
import { useApi } from '../app/context';
import { useI18n } from '../lib/i18n';

type Rule = 'allow' | 'approval' | 'deny';
type PermissionId = (typeof PERMISSION_IDS)[number];
const CELL = { fontSize: 13, minHeight: 0, padding: '2px 4px', width: '100%' } as const;
const RULE_RU: Record<Rule, string> = { allow: 'можно', approval: 'с подтверждением', deny: 'нельзя' };

export function AccessScreen(): ReactNode {
  const api = useApi();
  const { lang } = useI18n();
  const ru = lang === 'ru';
  const [view, setView] = useState<AccessView | null>(null);
  const [draft, setDraft] = useState<AccessView['matrix'] | null>(null);
  const [error, setError] = useState<CashierErrorView | null>(null);
  const [note, setNote] = useState('');
  const [person, setPerson] = useState('');
  const [permission, setPermission] = useState<PermissionId>('refund');
  const [newPerson, setNewPerson] = useState({ name: '', role: 'cashier', pin: '' });

  const load = useCallback(async () => {
    try {
      const v = await api.call('access.get', {});
      setView(v);
      setDraft(v.matrix);
      setError(null);
    } catch (e) {
      setError(asCashierError(e));
    }
  }, [api]);
  useEffect(() => {
    void load();
  }, [load]);

  const run = async (work: () => Promise<unknown>, done: string): Promise<void> => {
    setError(null);
    setNote('');
    try {
      await work();
      setNote(done);
      await load();
    } catch (e) {
      setError(asCashierError(e));
    }
  };

  const setRule = (roleId: string, p: PermissionId, rule: Rule): void => {
    setDraft((m) => (m ? { ...m, roles: m.roles.map((r) => (r.id === roleId ? { ...r, rules: { ...r.rules, [p]: rule } } : r)) } : m));
  };

  const errorLine = error ? <p className="error-text" role="alert" data-testid="access-error" data-error-key={error.key} style={{ fontSize: 20 }}>{ru ? error.ru : error.en}</p> : null;
  if (!view || !draft) return <section className="panel" data-testid="access">{errorLine}</section>;
  const label = (p: PermissionId): string => view.labels[p] ?? p;

  return (
    <section className="panel journal" data-testid="access" style={{ overflow: 'auto' }}>
      <h2>{ru ? 'Права доступа' : 'Access rights'} <span className="muted">v{view.version}</span></h2>
      {errorLine}
      {note ? <p className="ok" data-testid="access-note">{note}</p> : null}
      <table className="small" data-testid="access-matrix" style={{ width: '100%', tableLayout: 'auto' }}>
        <thead><tr><th>{ru ? 'Право' : 'Right'}</th>{draft.roles.map((r) => <th key={r.id} style={{ fontSize: 12 }}>{r.name}</th>)}</tr></thead>
        <tbody>
          {PERMISSION_IDS.map((p) => (
            <tr key={p}>
              <td>{label(p)}</td>
              {draft.roles.map((r) => (
                <td key={r.id}>
                  <select style={CELL} value={r.rules[p] ?? 'deny'} disabled={!view.canEditMatrix} onChange={(e) => setRule(r.id, p, e.target.value as Rule)} data-testid={`matrix-${r.id}-${p}`}>
                    {(['allow', 'approval', 'deny'] as const).map((rule) => <option key={rule} value={rule}>{RULE_RU[rule]}</option>)}
                  </select>
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {view.canEditMatrix ? (
        <div className="actions">
          <button type="button" className="btn btn-primary" data-testid="matrix-save" onClick={() => void run(() => api.call('access.setMatrix', { matrix: draft, expectedVersion: view.version }), ru ? 'Матрица прав сохранена' : 'Matrix saved')}>{ru ? 'Сохранить матрицу' : 'Save matrix'}</button>
        </div>
      ) : null}
      {view.canManagePeople ? (
        <>
          <h3>{ru ? 'Право одному сотруднику' : 'One right for one person'}</h3>
          <div className="actions">
            <select value={person} onChange={(e) => setPerson(e.target.value)} data-testid="right-person">
              <option value="">—</option>
              {view.people.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
            </select>
            <select value={permission} onChange={(e) => setPermission(e.target.value as PermissionId)} data-testid="right-permission">
              {PERMISSION_IDS.map((p) => <option key={p} value={p}>{label(p)}</option>)}
            </select>
            {(['grant', 'revoke', null] as const).map((effect) => (
              <button key={String(effect)} type="button" className="btn" disabled={!person} data-testid={`right-${effect ?? 'reset'}`}
                onClick={() => void run(() => api.call('access.setRight', { personId: person, permission, effect }), ru ? 'Право изменено' : 'Right changed')}>
                {effect === 'grant' ? (ru ? 'Выдать' : 'Grant') : effect === 'revoke' ? (ru ? 'Забрать' : 'Revoke') : (ru ? 'Как у роли' : 'As role')}
              </button>
            ))}
          </div>
          <table className="grid small" data-testid="access-people">
            <thead><tr><th>{ru ? 'Сотрудник' : 'Person'}</th><th>{ru ? 'Роль' : 'Role'}</th><th>{ru ? 'Личные права' : 'Own rights'}</th></tr></thead>
            <tbody>
              {view.people.map((p) => (
                <tr key={p.id} data-testid={`access-person-${p.id}`}>
                  <td>{p.name}{p.active ? '' : ' (отключён)'}</td>
                  <td>{view.matrix.roles.find((r) => r.id === p.role)?.name ?? p.role}</td>
                  <td data-testid={`access-person-rights-${p.id}`}>{p.overrides.map((o) => `${o.effect === 'grant' ? '+' : '−'} ${label(o.permission)}`).join('; ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>{ru ? 'Новый сотрудник' : 'New person'}</h3>
          <div className="actions">
            <input placeholder={ru ? 'Имя' : 'Name'} value={newPerson.name} onChange={(e) => setNewPerson({ ...newPerson, name: e.target.value })} data-testid="new-person-name" />
            <select value={newPerson.role} onChange={(e) => setNewPerson({ ...newPerson, role: e.target.value })} data-testid="new-person-role">
              {view.matrix.roles.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
            </select>
            <input type="password" inputMode="numeric" placeholder="PIN" value={newPerson.pin} onChange={(e) => setNewPerson({ ...newPerson, pin: e.target.value })} data-testid="new-person-pin" />
            <button type="button" className="btn" data-testid="new-person-add" disabled={!newPerson.name || !newPerson.pin}
              onClick={() => void run(async () => { await api.call('people.create', newPerson); setNewPerson({ name: '', role: 'cashier', pin: '' }); }, ru ? 'Сотрудник добавлен' : 'Person added')}>
              {ru ? 'Добавить' : 'Add'}
            </button>
          </div>
        </>
      ) : null}
    </section>
  );
}
