import type { ReactNode } from 'react';
import type { OperationView } from '../../main/contract/checkout';
import { useI18n, type TextKey } from '../lib/i18n';
import { localDateTime, paymentTypeLabel } from '../lib/labels';
import { formatKop } from '../lib/money';

export function SlipView({ operation }: { operation: OperationView }): ReactNode {
  const { t } = useI18n();
  const slip = operation.slip;
  const rows: [TextKey, string | null | undefined, string][] = [
    ['slip.orderId', slip?.orderId ?? operation.orderId, 'orderId'],
    [operation.kind === 'refund' ? 'slip.refundTransactionId' : 'slip.paymentTransactionId',
      operation.kind === 'refund' ? (slip?.refundTransactionId ?? operation.refTransactionId) : (slip?.paymentTransactionId ?? operation.transactionId),
      operation.kind === 'refund' ? 'refundTransactionId' : 'paymentTransactionId'],
    ['slip.paymentType', paymentTypeLabel(slip?.paymentType ?? operation.paymentType), 'paymentType'],
    ['slip.qrcId', slip?.qrcId, 'qrcId'],
    ['slip.kzo', slip?.kzo, 'kzo'],
    ['slip.amount', formatKop(slip?.totalAmountKop ?? operation.amountKop), 'amount'],
    ['slip.date', localDateTime(slip?.operationDateTime), 'date'],
  ];
  return (
    <dl className="slip" data-testid="slip">
      {rows.filter(([, v]) => v).map(([label, value, id]) => (
        <div key={id} className="slip-row">
          <dt>{t(label)}</dt>
          <dd data-testid={`slip-${id}`} data-raw={id === 'paymentType' ? (slip?.paymentType ?? operation.paymentType ?? undefined) : undefined}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
