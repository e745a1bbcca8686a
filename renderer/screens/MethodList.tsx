// The payment methods of the configured providers as buttons: each takes its number key (config order,
// stable; a provider's primary method first), the first two enabled ones also F6 / F7. A provider's primary
// method (the way the shop prefers, e.g. SBP) is drawn larger. When the methods take cards of both origins
// (a Russian bank's and a foreign acquirer's), they stand under the question «Карта российского банка или
// иностранного?», one group per answer: the customer's answer is the method pressed (docs/banks.md, Routing).
// A method that cannot be taken now stays listed with the reason: the provider's problem in the cashier's
// words, or what the sale lacks (a card scan).
import { useEffect, useRef, type ReactNode } from 'react';
import type { CardOrigin } from '../../main/contract/checkout';
import { useI18n } from '../lib/i18n';
import { KeyButton } from '../lib/keys';
import { originGroups, type ChoiceNote, type MethodChoice, type Tender } from '../lib/methods';

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
  const row = (c: MethodChoice): ReactNode => {
    const alias = ALIASES[enabled.indexOf(c)] ?? null;
    return (
      <div key={`${c.provider ?? ''}/${c.method}`} className={`method-row${c.primary ? ' primary' : ''}`} data-testid="method-row" data-method={c.method}
        data-provider={c.provider ?? undefined} data-enabled={String(c.enabled)} data-primary={String(c.primary)}>
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
  };
  const groups = originGroups(choices);
  // Under a wallet's methods the question may start below the fold of a 768 px screen: bring it into view.
  const question = useRef<HTMLDivElement>(null);
  const asking = groups !== null;
  useEffect(() => {
    if (asking) question.current?.scrollIntoView({ block: 'nearest' });
  }, [asking]);
  if (!groups) return <>{choices.map(row)}</>;
  const group = (origin: CardOrigin, list: readonly MethodChoice[]): ReactNode => (
    <div className="origin-group" data-testid={`origin-${origin}`} role="group" aria-label={t(`sale.origin.${origin}`)}>
      <div className="label">{t(`sale.origin.${origin}`)}</div>
      {list.map(row)}
    </div>
  );
  return (
    <>
      {groups.other.map(row)}
      <div className="origin-question" data-testid="origin-question" ref={question}>
        <div className="origin-ask" data-testid="origin-question-text">{t('sale.origin.question')}</div>
        {group('russian', groups.russian)}
        {group('foreign', groups.foreign)}
      </div>
    </>
  );
}
