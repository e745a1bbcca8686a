// The customer display (docs/ui.md "Customer display"): what the person paying sees on the second screen —
// the store name, the total, the payment QR with its hint, «Оплачено» / «Оплата отклонена». Nothing to press:
// the page has no controls and its connection is read-only.
import type { ReactNode } from 'react';
import type { CustomerDisplayView } from '../../main/contract/display';
import { TILL_CURRENCY } from '../../main/contract/currency';
import { formatMinor } from '../lib/money';
import { CustomerAction } from '../screens/CustomerAction';
import type { DisplayLink } from './connection';

/** `currency`: the sale's (absent: the till's; the basket is always in it). */
function Total({ label, kop, currency }: { label: string; kop: number | null; currency?: string }): ReactNode {
  if (kop === null) return null;
  return (
    <div className="cd-total">
      <div className="cd-total-label">{label}</div>
      <div className="cd-total-amount" data-testid="display-total">{formatMinor(kop, currency ?? TILL_CURRENCY)}</div>
    </div>
  );
}

export function CustomerDisplay({ view, link }: { view: CustomerDisplayView | null; link: DisplayLink }): ReactNode {
  if (view === null || view.state === 'off') {
    // Not configured, or not connected yet: a blank screen says nothing wrong to the customer.
    return <main className="cd cd-off" data-testid="display" data-state={view?.state ?? 'connecting'} data-link={link} />;
  }
  return (
    <main className={`cd cd-${view.state}`} data-testid="display" data-state={view.state} data-link={link}>
      <header className="cd-store" data-testid="display-store">{view.storeName}</header>
      <section className="cd-body">
        {view.state === 'idle' && <div className="cd-welcome">Добро пожаловать!</div>}
        {view.state === 'basket' && <Total label="Сумма покупки" kop={view.totalKop} />}
        {view.state === 'pay' && (
          <>
            <Total label="К оплате" kop={view.totalKop} currency={view.currency} />
            {view.qr ? <CustomerAction action={view.qr} size={340} /> : <div className="cd-hint">Оплатите покупку на кассе</div>}
          </>
        )}
        {view.state === 'paid' && (
          <>
            <div className="cd-result cd-result-ok" data-testid="display-result">Оплачено</div>
            <Total label="Сумма" kop={view.totalKop} currency={view.currency} />
            <div className="cd-hint">Спасибо за покупку!</div>
          </>
        )}
        {view.state === 'declined' && (
          <>
            <div className="cd-result cd-result-bad" data-testid="display-result">Оплата отклонена</div>
            <div className="cd-hint">Обратитесь к кассиру</div>
          </>
        )}
      </section>
      {link !== 'open' && <footer className="cd-link" data-testid="display-link">Нет связи с кассой</footer>}
    </main>
  );
}
