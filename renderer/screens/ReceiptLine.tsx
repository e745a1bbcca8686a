// The fiscal receipt's state under a paid sale: «Чек пробит» / «Чек в очереди» / «Чек не пробит: …», read
// from the operation view (the core pushes it again as the queue moves). When the money moved but the receipt
// did not go, the one action offered is to finish that receipt — never a second payment.
import { useState, type ReactNode } from 'react';
import type { OperationView } from '../../main/contract/checkout';
import { useApi } from '../app/context';

export function ReceiptLine({ operation }: { operation: OperationView }): ReactNode {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const receipt = operation.receipt;
  if (!receipt || receipt.state === 'none') return null;
  const jobId = receipt.jobId;
  const finish = async (): Promise<void> => {
    if (jobId === null) return;
    setBusy(true);
    try {
      await api.call('queue.retry', { jobId });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className={`receipt-line receipt-${receipt.state}`} data-testid="receipt-state" data-state={receipt.state}>
      <span>{receipt.textRu}</span>
      {receipt.canFinish && jobId !== null
        ? <button type="button" className="btn" disabled={busy} onClick={() => void finish()} data-testid="receipt-finish">Допробить чек</button>
        : null}
    </div>
  );
}
