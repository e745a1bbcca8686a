// Russian labels and value formatting shared by every report output.
import { formatMinor } from '../contract/currency';
import type { OperationKind } from './model';

export const KIND_LABEL: Record<OperationKind, string> = { payment: 'Оплата', cancel: 'Отмена', refund: 'Возврат' };

const STATUS_LABEL: Record<string, string> = {
  paid: 'оплачено',
  rejected: 'отклонено',
  canceled: 'отменено',
  failed: 'ошибка',
  refunded: 'возвращено',
  refund_rejected: 'возврат отклонён',
  cancel_rejected: 'отмена отклонена',
  not_found: 'не найдено',
  unresolved: 'не завершено',
};
export const statusLabel = (status: string): string => STATUS_LABEL[status] ?? status;

const PAYMENT_TYPE_LABEL: Record<string, string> = { SBP: 'СБП', DOLYAME: 'Долями' };
export const paymentTypeLabel = (type: string | null): string => (type === null ? '—' : (PAYMENT_TYPE_LABEL[type] ?? type));

const TENDER_LABEL: Record<string, string> = { cash: 'Наличные', card_terminal: 'Банковский терминал', other: 'Прочее' };
export const tenderLabel = (kind: string): string => TENDER_LABEL[kind] ?? kind;

export const PROBLEM_LABEL: Record<string, string> = {
  mismatch: 'статус расходится',
  unresolved: 'не завершена в кассе',
  not_found: 'платёжная система не знает операцию',
  lookup_failed: 'не удалось проверить',
  amount: 'сумма расходится',
};

/** An amount in minor units of its currency, for people ("1 234,56 ₽", "500,00 ₸", "12,34 $"). */
export const money = (minor: number, currency: string): string => formatMinor(minor, currency, 'ru');

const CURRENCY_LABEL: Record<string, string> = { RUB: 'рубли', KZT: 'тенге', USD: 'доллары США' };
/** A currency section's heading: "рубли (RUB)"; an unknown code as itself. */
export const currencyLabel = (currency: string): string => (CURRENCY_LABEL[currency] ? `${CURRENCY_LABEL[currency]} (${currency})` : currency);

const pad = (n: number): string => String(n).padStart(2, '0');
/** Local date and time, "03.03.2025 09:00:00". */
export function localTime(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${pad(d.getDate())}.${pad(d.getMonth() + 1)}.${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** The warning every output of a report made off production carries (null: production or not recorded). */
export function environmentMark(environment: 'emulator' | 'test' | 'production' | null): string | null {
  if (environment === 'emulator') return 'ЭМУЛЯТОР — НЕ НАСТОЯЩИЕ ДЕНЬГИ';
  if (environment === 'test') return 'ТЕСТОВАЯ СРЕДА — НЕ НАСТОЯЩИЕ ДЕНЬГИ';
  return null;
}
