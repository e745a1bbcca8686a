// The contract's method names and Electron channels without zod, so the sandboxed preload stays a
// few kilobytes. main/contract/api.ts checks (at compile time) that API_METHODS has exactly these keys.
export const API_METHOD_LIST = [
  'status.get', 'sale.methods', 'sale.catalogue', 'sale.availability', 'sale.pay', 'sale.cancel', 'sale.park', 'refund.start', 'sale.extraCharge',
  'operation.get', 'operation.query', 'operation.search', 'scan.wedge', 'scan.manual', 'scan.image', 'scan.camera',
  'shift.current', 'shift.open', 'shift.claim', 'shift.close', 'shift.tender',
  'report.x', 'report.z', 'report.list', 'report.print', 'report.printOs', 'report.reprint', 'report.export', 'report.open',
  'shift.voidTender', 'admin.call', 'admin.answer', 'admin.calls', 'catalogue.lookup',
  'queue.list', 'queue.retry', 'receipt.block', 'receipt.print', 'display.basket',
  'people.state', 'people.signIn', 'people.signOut', 'people.lock', 'people.touch', 'people.create', 'people.yandexStart', 'people.yandexPoll',
  'access.get', 'access.setMatrix', 'access.setRight', 'payments.search', 'order.service', 'balance.get', 'audit.verify',
  'savedCards.list', 'savedCards.bind', 'savedCards.pay', 'savedCards.unbind',
] as const;
export type ApiMethodName = (typeof API_METHOD_LIST)[number];

const NAMES: ReadonlySet<string> = new Set(API_METHOD_LIST);

export function isApiMethodName(name: unknown): name is ApiMethodName {
  return typeof name === 'string' && NAMES.has(name);
}

/** Electron IPC channels (the only two; preload and main share them from here). */
export const IPC_INVOKE = 'paydesk:invoke';
export const IPC_EVENT = 'paydesk:event';
