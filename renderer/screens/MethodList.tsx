// The payment methods of the configured providers as buttons: each takes its number key (config order,
// stable), the first two enabled ones also F6 / F7. A method that cannot be taken now stays listed with
// the reason: the provider's problem in the cashier's words, or what the sale lacks (a card scan).
import type { ReactNode } from 'react';
import { useI18n } from '../lib/i18n';
import { KeyButton } from '../lib/keys';
import type { ChoiceNote, MethodChoice, Tender } from '../lib/methods';

const ALIASES = ['F6', 'F7'];

export function MethodList({ choices, onPick }: { choices: readonly MethodChoice[]; onPick: (tender: Tender) => void }): ReactNode {
  const { t, lang } = useI18n();
  const note = (n: ChoiceNote): string => {
    switch (n.kind) {
      case 'problem': return n.problem[lang];
      case 'needs_scan': return t('sale.method.needsScan');
      case 'token_used': return t('sale.method.tokenUsed');
      case 'unavailable': return t('sale.unavailable');
    }
  };
  const enabled = choices.filter((c) => c.enabled);
  return (
    <>
      {choices.map((c) => {
        const alias = ALIASES[enabled.indexOf(c)] ?? null;
        return (
          <div key={`${c.provider ?? ''}/${c.method}`} className="method-row" data-testid="method-row" data-method={c.method} data-provider={c.provider ?? undefined} data-enabled={String(c.enabled)}>
            <KeyButton k={c.digit} also={c.enabled ? alias : null} variant={c.enabled ? 'primary' : 'plain'} disabled={!c.enabled}
              onPress={() => onPick({ provider: c.provider, method: c.method, needsCardScan: c.needsCardScan })} testId={`method-${c.method}`}>
              {c.title}
            </KeyButton>
            {c.note ? (
              <div className="muted method-note" data-testid={`method-note-${c.method}`} data-note={c.note.kind}
                data-error-key={c.note.kind === 'problem' ? c.note.problem.key : undefined} title={c.note.kind === 'unavailable' ? (c.note.message ?? undefined) : undefined}>
                {note(c.note)}
              </div>
            ) : null}
          </div>
        );
      })}
    </>
  );
}
