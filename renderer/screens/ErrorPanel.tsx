// The cashier's instruction, big and plain, with the one action that fits; details for IT folded.
import type { ReactNode } from 'react';
import type { CashierErrorView } from '../../main/contract/checkout';
import { useI18n } from '../lib/i18n';
import { KeyButton } from '../lib/keys';

export interface ErrorPanelProps {
  error: CashierErrorView;
  onAction: (action: CashierErrorView['action']) => void;
  /** Ids for IT (operation id, request id…), shown only in the folded details. */
  context?: Record<string, string | null | undefined>;
}

export function ErrorPanel({ error, onAction, context = {} }: ErrorPanelProps): ReactNode {
  const { lang, t } = useI18n();
  const text = lang === 'ru' ? error.ru : error.en;
  const details = [`key: ${error.key}`, ...(error.details ? [`details: ${error.details}`] : []),
    ...Object.entries(context).filter(([, v]) => v).map(([k, v]) => `${k}: ${String(v)}`)];
  return (
    <section className={`error-panel severity-${error.severity}`} data-testid="error-panel" data-error-key={error.key} role="alert">
      <div className="error-label">{t('error.title')}</div>
      <p className="error-text" data-testid="error-text">{text}</p>
      <div className="error-actions">
        {error.action === 'wait'
          ? <div className="waiting" data-testid="error-wait">{t('action.wait')}…</div>
          : <KeyButton k="Enter" variant="primary" onPress={() => onAction(error.action)} testId="error-action" autoFocus>{t(`action.${error.action}`)}</KeyButton>}
      </div>
      <details className="error-details">
        <summary>{t('error.details')}</summary>
        <pre data-testid="error-details">{details.join('\n')}</pre>
      </details>
    </section>
  );
}
