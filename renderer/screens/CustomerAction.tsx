// What the customer does on their own device while a payment runs (operation.customerAction): a payment
// link drawn as a QR for the phone's camera, with the provider's one-line hint under it.
import { useMemo, type ReactNode } from 'react';
import type { CustomerActionView } from '../../main/contract/checkout';
import { useI18n } from '../lib/i18n';
import { qrModules } from '../lib/qr';

/** Modules of white margin around the code: phone readers need four. */
const QUIET = 4;

function pathOf(modules: boolean[][]): string {
  const parts: string[] = [];
  modules.forEach((row, y) => row.forEach((dark, x) => {
    if (dark) parts.push(`M${x + QUIET} ${y + QUIET}h1v1h-1z`);
  }));
  return parts.join('');
}

/** `size`: the drawn code's side in CSS pixels (the till's panel: 180; the customer display draws it larger). */
export function CustomerAction({ action, size = 180 }: { action: CustomerActionView; size?: number }): ReactNode {
  const { t } = useI18n();
  const drawn = useMemo(() => {
    try {
      const modules = qrModules(action.payload);
      return { size: modules.length + QUIET * 2, path: pathOf(modules) };
    } catch {
      return null;
    }
  }, [action.payload]);
  return (
    <figure className="customer-action" data-testid="customer-action" data-kind={action.kind} data-payload={action.payload}>
      {drawn ? (
        <svg data-testid="customer-qr" viewBox={`0 0 ${drawn.size} ${drawn.size}`} width={size} height={size} shapeRendering="crispEdges" role="img" aria-label={action.hintRu}>
          <rect width={drawn.size} height={drawn.size} fill="#fff" />
          <path d={drawn.path} fill="#000" />
        </svg>
      ) : <div className="error-text" role="alert" data-testid="customer-qr-failed">{t('sale.qrFailed')}</div>}
      <figcaption data-testid="customer-action-hint">{action.hintRu}</figcaption>
    </figure>
  );
}
