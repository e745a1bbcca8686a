// The slip data of a finished operation: the till's own fields, then the provider's slip ids as the
// provider labels them (`slip.refs`), whatever the provider.
import type { ReactNode } from 'react';
import type { OperationView } from '../../main/contract/checkout';
import { useTillSetup } from '../app/setup';
import { useI18n } from '../lib/i18n';
import { localDateTime } from '../lib/labels';
import { methodTitle } from '../lib/methods';
import { formatMinor } from '../lib/money';

interface Row {
  /** The element's test id (`slip-<id>`); a provider ref keeps its own key there (slip-<key>). */
  id: string;
  label: string;
  value: string | null | undefined;
  raw?: string | undefined;
  ref?: boolean;
}

export function SlipView({ operation }: { operation: OperationView }): ReactNode {
  const { t } = useI18n();
  const { methods } = useTillSetup();
  const slip = operation.slip;
  const refund = operation.kind === 'refund';
  const paymentType = slip?.paymentType ?? operation.paymentType;
  const rows: Row[] = [
    { id: 'orderId', label: t('slip.orderId'), value: slip?.orderId ?? operation.orderId },
    refund
      ? { id: 'refundTransactionId', label: t('slip.refundTransactionId'), value: slip?.refundTransactionId ?? operation.refTransactionId }
      : { id: 'paymentTransactionId', label: t('slip.paymentTransactionId'), value: slip?.paymentTransactionId ?? operation.transactionId },
    { id: 'paymentType', label: t('slip.paymentType'), value: methodTitle(methods, paymentType, operation.provider), raw: paymentType ?? undefined },
    ...(slip?.refs ?? []).map((r) => ({ id: r.key, label: r.label, value: r.value, ref: true })),
    // In the currency charged (a foreign acquirer's tenge or a dollar QR service), never relabelled as roubles.
    { id: 'amount', label: t('slip.amount'), value: formatMinor(slip?.totalAmountKop ?? operation.amountKop, slip?.currency ?? operation.currency ?? 'RUB') },
    { id: 'date', label: t('slip.date'), value: localDateTime(slip?.operationDateTime) },
  ];
  return (
    <dl className="slip" data-testid="slip" data-provider={operation.provider}>
      {rows.filter((r) => r.value).map((r) => (
        <div key={`${r.ref ? 'ref' : 'own'}-${r.id}`} className="slip-row" data-ref={r.ref ? r.id : undefined}>
          <dt>{r.label}</dt>
          <dd data-testid={`slip-${r.id}`} data-raw={r.raw}>{r.value}</dd>
        </div>
      ))}
    </dl>
  );
}
