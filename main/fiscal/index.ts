// Fiscal receipts (54-FZ, FFD 1.2) behind one connector interface; see docs/fiscal.md.
import { AtolConnector } from './atol/client';
import type { FiscalConfig } from './config';
import type { FiscalConnector } from './connector';
import { YookassaConnector } from './yookassa/client';

export * from './connector';
export * from './receipt';
export * from './config';
export { saleReceipt, refundReceipt, type ReceiptSource } from './build';
export { enqueueFiscalReceipt, fiscalJobHandlers, FISCAL_SELL, FISCAL_REFUND } from './jobs';
export { AtolConnector } from './atol/client';
export { YookassaConnector } from './yookassa/client';

/** The configured connector, or null when nobody (or the payment provider itself) fiscalizes. */
export function createFiscalConnector(config: FiscalConfig): FiscalConnector | null {
  if (config.connector === 'atol') return new AtolConnector(config.atol);
  if (config.connector === 'yookassa') return new YookassaConnector(config.yookassa);
  return null;
}
