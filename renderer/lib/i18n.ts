// Screen texts: Russian by default, English by switch (F4). Cashier errors come from the core's
// catalogue with both languages; these are the till's own labels.
import { createContext, useContext } from 'react';

export type Lang = 'ru' | 'en';

const ru = {
  'nav.sale': 'Продажа', 'nav.refund': 'Возврат', 'nav.journal': 'Журнал', 'nav.lang': 'English',
  'sale.title': 'Продажа', 'sale.amount': 'Сумма покупки, ₽', 'sale.orLines': 'или товары:',
  'sale.name': 'Товар', 'sale.price': 'Цена, ₽', 'sale.qty': 'Кол-во', 'sale.vat': 'НДС', 'sale.measure': 'Ед.',
  'sale.addLine': 'Добавить', 'sale.removeLine': 'Удалить', 'sale.total': 'Итого', 'sale.noLines': 'Товаров нет — введите сумму или добавьте товар',
  'sale.card': 'Карта покупателя', 'sale.scanPrompt': 'Отсканируйте карту лояльности покупателя',
  'sale.loyalty': 'Карта лояльности', 'sale.kpYes': 'Кошелёк Pay доступен', 'sale.kpNo': 'Кошелёк Pay недоступен — примите оплату другим способом',
  'sale.manual': 'Ввести код вручную', 'sale.manualApply': 'Применить',
  'sale.pay': 'Оплатить', 'sale.new': 'Новая продажа', 'sale.checking': 'Запрашиваем способы оплаты…',
  'sale.choose': 'Выберите способ оплаты', 'sale.otherMethod': 'Другой способ оплаты', 'sale.unavailable': 'недоступен',
  'sale.status': 'Статус оплаты', 'sale.elapsed': 'Прошло', 'sale.cancel': 'Отменить оплату', 'sale.cancelling': 'Отменяем…',
  'sale.paid': 'Оплачено', 'sale.slip': 'Данные для чека', 'sale.next.enterAmount': 'Введите сумму или добавьте товары',
  'sale.next.scan': 'Отсканируйте карту покупателя', 'sale.next.pay': 'Нажмите «Оплатить» (F9)', 'sale.next.wait': 'Покупатель подтверждает оплату в приложении',
  'sale.next.done': 'Пробейте чек. Для следующей покупки — F10', 'sale.next.choose': 'Спросите покупателя, как он хочет оплатить',
  'sale.next.other': 'Примите оплату наличными или картой. Для следующей покупки — F10',
  'slip.orderId': 'Заказ', 'slip.paymentTransactionId': 'Транзакция оплаты', 'slip.refundTransactionId': 'Транзакция возврата',
  'slip.paymentType': 'Способ оплаты', 'slip.qrcId': 'ID СБП (qrcId)', 'slip.kzo': 'КЗО', 'slip.amount': 'Сумма', 'slip.date': 'Дата операции',
  'error.details': 'Подробности для ИТ', 'error.title': 'Что делать',
  'action.rescan': 'Отсканировать карту заново', 'action.retry': 'Повторить', 'action.other_method': 'Другой способ оплаты',
  'action.call_admin': 'Вызвать администратора', 'action.wait': 'Подождите', 'action.check_status': 'Открыть журнал',
  'action.fix_config': 'Вызвать администратора', 'action.none': 'Продолжить',
  'refund.title': 'Возврат', 'refund.orderId': 'Номер заказа', 'refund.transactionId': 'ID транзакции', 'refund.date': 'Дата',
  'refund.find': 'Найти', 'refund.found': 'Найденные оплаты', 'refund.none': 'Оплаты не найдены', 'refund.refundable': 'Можно вернуть',
  'refund.full': 'Вернуть всё', 'refund.partial': 'Вернуть сумму', 'refund.lines': 'Вернуть товары', 'refund.amount': 'Сумма возврата, ₽',
  'refund.pick': 'Выберите оплату (↑↓, Enter)', 'refund.status': 'Статус возврата', 'refund.done': 'Возврат выполнен', 'refund.back': 'Назад к поиску',
  'journal.title': 'Журнал за сегодня', 'journal.time': 'Время', 'journal.kind': 'Операция', 'journal.order': 'Заказ',
  'journal.amount': 'Сумма', 'journal.status': 'Статус', 'journal.recovered': 'восстановлена после перезапуска', 'journal.empty': 'Сегодня операций нет',
  'journal.page': 'Стр.', 'journal.refresh': 'Обновить',
  'kind.payment': 'Оплата', 'kind.cancel': 'Отмена', 'kind.refund': 'Возврат',
  'status.env.emulator': 'ЭМУЛЯТОР — деньги не списываются', 'status.env.test': 'ТЕСТОВЫЙ СЕРВЕР', 'status.env.production': 'Рабочий режим',
  'status.net.ok': 'Связь: в норме', 'status.net.degraded': 'Связь: с перебоями', 'status.net.down': 'Связь: нет', 'status.net.unknown': 'Связь: проверяется',
  'status.scanner.connected': 'Сканер: подключён', 'status.scanner.disconnected': 'Сканер: не подключён', 'status.scanner.error': 'Сканер: ошибка',
  'status.scanner.disabled': 'Сканер: клавиатурный', 'status.config': 'Ошибка настроек', 'status.configKept': 'касса работает с прежними настройками', 'status.clock': 'Часы кассы расходятся на',
  'status.core.closed': 'Нет связи с ядром кассы — переподключаемся', 'status.core.unauthorized': 'Нет доступа к ядру кассы — перезапустите кассу',
  'nav.shift': 'Смена',
  'shift.title': 'Смена', 'shift.none': 'Смена не открыта', 'shift.autoOpen': 'откроется сама при первой продаже', 'shift.manualOpen': 'откройте смену перед продажами',
  'shift.number': 'Смена №', 'shift.openedBy': 'Открыл', 'shift.openedAt': 'Открыта', 'shift.left': 'До 24 часов', 'shift.expired': 'Смена длится больше 24 часов',
  'shift.hours': 'ч', 'shift.minutes': 'мин', 'shift.cashier': 'Менеджер (имя)', 'shift.open': 'Открыть смену', 'shift.close': 'Закрыть смену (Z)',
  'shift.confirm': 'Закрыть смену? Касса сверит операции с Кошельком и сформирует Z-отчёт.', 'shift.confirmYes': 'Да, закрыть', 'shift.confirmNo': 'Отмена',
  'shift.closing': 'Сверяем с Кошельком и закрываем смену…', 'shift.unresolved': 'Незавершённых операций', 'shift.nameRequired': 'Введите имя менеджера',
  'tender.title': 'Оплата вне Кошелька', 'tender.kind': 'Вид', 'tender.amount': 'Сумма, ₽', 'tender.sale': 'Приход', 'tender.refund': 'Возврат',
  'tender.note': 'Комментарий', 'tender.add': 'Внести', 'tender.done': 'Внесено', 'tender.badAmount': 'Введите сумму больше нуля',
  'tender.kind.cash': 'Наличные', 'tender.kind.card_terminal': 'Банковский терминал', 'tender.kind.other': 'Прочее',
  'report.x': 'X-отчёт', 'report.z': 'Z-отчёт №', 'report.showX': 'X-отчёт', 'report.print': 'Печать', 'report.printed': 'Отчёт напечатан',
  'report.reprint': 'Повторить печать', 'report.saved': 'Сохранено', 'report.lastZ': 'Последние Z-отчёты', 'report.noZ': 'Z-отчётов пока нет',
  'report.noReport': 'Нет открытой смены — X-отчёт недоступен', 'report.generated': 'сформирован',
  'report.koshelek': 'Кошелёк Pay', 'report.in': 'Оплаты', 'report.out': 'Возвраты', 'report.net': 'Итого', 'report.payments': 'Оплат', 'report.cancels': 'Отмен', 'report.refunds': 'Возвратов',
  'report.crossShift': 'из них оплат прошлых смен', 'report.byPaymentType': 'По способам оплаты', 'report.tenders': 'Вне Кошелька', 'report.till': 'Итого по кассе',
  'report.reconciliation': 'Сверка с Кошельком', 'report.noDiff': 'расхождений нет', 'report.diff': 'расхождений', 'report.checked': 'проверено', 'report.notReconciled': 'без сверки',
  'report.unresolved': 'не завершено', 'report.ops': 'Операции смены', 'report.noOps': 'Операций нет', 'report.tenderEntry': 'введено вручную',
  'col.time': 'Время', 'col.op': 'Операция', 'col.amount': 'Сумма', 'col.ops': 'Опер.', 'col.net': 'Итог', 'col.closed': 'Закрыта',
  'rst.paid': 'оплачено', 'rst.rejected': 'отклонено', 'rst.canceled': 'отменено', 'rst.failed': 'ошибка', 'rst.refunded': 'возвращено',
  'rst.refund_rejected': 'возврат отклонён', 'rst.cancel_rejected': 'отмена отклонена', 'rst.not_found': 'не найдено', 'rst.unresolved': 'не завершено',
  'status.shift.none': 'Смена не открыта', 'status.shift.open': 'Смена', 'status.shift.expires_soon': 'Смена закончится через', 'status.shift.expired': 'Смена истекла — закройте её',
  'status.shift.forgotten': 'не закрыта со вчера',
  'common.sec': 'с', 'common.yes': 'да', 'common.no': 'нет',
} as const;

export type TextKey = keyof typeof ru;

const en: Record<TextKey, string> = {
  'nav.sale': 'Sale', 'nav.refund': 'Refund', 'nav.journal': 'Journal', 'nav.lang': 'Русский',
  'sale.title': 'Sale', 'sale.amount': 'Purchase amount, RUB', 'sale.orLines': 'or items:',
  'sale.name': 'Item', 'sale.price': 'Price, RUB', 'sale.qty': 'Qty', 'sale.vat': 'VAT', 'sale.measure': 'Unit',
  'sale.addLine': 'Add', 'sale.removeLine': 'Remove', 'sale.total': 'Total', 'sale.noLines': 'No items — type an amount or add an item',
  'sale.card': 'Customer card', 'sale.scanPrompt': 'Scan the customer\'s loyalty card',
  'sale.loyalty': 'Loyalty card', 'sale.kpYes': 'Koshelek Pay available', 'sale.kpNo': 'No Koshelek Pay — take payment another way',
  'sale.manual': 'Type the code', 'sale.manualApply': 'Apply',
  'sale.pay': 'Pay', 'sale.new': 'New sale', 'sale.checking': 'Asking for payment methods…',
  'sale.choose': 'Choose the payment method', 'sale.otherMethod': 'Other payment method', 'sale.unavailable': 'unavailable',
  'sale.status': 'Payment status', 'sale.elapsed': 'Elapsed', 'sale.cancel': 'Cancel payment', 'sale.cancelling': 'Cancelling…',
  'sale.paid': 'Paid', 'sale.slip': 'Receipt details', 'sale.next.enterAmount': 'Type the amount or add items',
  'sale.next.scan': 'Scan the customer\'s card', 'sale.next.pay': 'Press Pay (F9)', 'sale.next.wait': 'The customer is confirming in the app',
  'sale.next.done': 'Print the receipt. Next sale: F10', 'sale.next.choose': 'Ask the customer how they want to pay',
  'sale.next.other': 'Take cash or a bank card. Next sale: F10',
  'slip.orderId': 'Order', 'slip.paymentTransactionId': 'Payment transaction', 'slip.refundTransactionId': 'Refund transaction',
  'slip.paymentType': 'Payment type', 'slip.qrcId': 'SBP id (qrcId)', 'slip.kzo': 'KZO', 'slip.amount': 'Amount', 'slip.date': 'Operation date',
  'error.details': 'Details for IT', 'error.title': 'What to do',
  'action.rescan': 'Rescan the card', 'action.retry': 'Retry', 'action.other_method': 'Other payment method',
  'action.call_admin': 'Call the administrator', 'action.wait': 'Please wait', 'action.check_status': 'Open the journal',
  'action.fix_config': 'Call the administrator', 'action.none': 'Continue',
  'refund.title': 'Refund', 'refund.orderId': 'Order number', 'refund.transactionId': 'Transaction id', 'refund.date': 'Date',
  'refund.find': 'Find', 'refund.found': 'Payments found', 'refund.none': 'No payments found', 'refund.refundable': 'Refundable',
  'refund.full': 'Refund all', 'refund.partial': 'Refund amount', 'refund.lines': 'Refund items', 'refund.amount': 'Refund amount, RUB',
  'refund.pick': 'Pick a payment (↑↓, Enter)', 'refund.status': 'Refund status', 'refund.done': 'Refund done', 'refund.back': 'Back to search',
  'journal.title': 'Today\'s journal', 'journal.time': 'Time', 'journal.kind': 'Operation', 'journal.order': 'Order',
  'journal.amount': 'Amount', 'journal.status': 'Status', 'journal.recovered': 'recovered after restart', 'journal.empty': 'No operations today',
  'journal.page': 'Page', 'journal.refresh': 'Refresh',
  'kind.payment': 'Payment', 'kind.cancel': 'Cancel', 'kind.refund': 'Refund',
  'status.env.emulator': 'EMULATOR — no real money', 'status.env.test': 'TEST SERVER', 'status.env.production': 'Production',
  'status.net.ok': 'Network: OK', 'status.net.degraded': 'Network: unstable', 'status.net.down': 'Network: down', 'status.net.unknown': 'Network: checking',
  'status.scanner.connected': 'Scanner: connected', 'status.scanner.disconnected': 'Scanner: not connected', 'status.scanner.error': 'Scanner: error',
  'status.scanner.disabled': 'Scanner: keyboard', 'status.config': 'Config error', 'status.configKept': 'the last good config stays live', 'status.clock': 'Till clock is off by',
  'status.core.closed': 'Lost the till core — reconnecting', 'status.core.unauthorized': 'No access to the till core — restart the till',
  'nav.shift': 'Shift',
  'shift.title': 'Shift', 'shift.none': 'No shift is open', 'shift.autoOpen': 'it opens by itself at the first sale', 'shift.manualOpen': 'open a shift before selling',
  'shift.number': 'Shift #', 'shift.openedBy': 'Opened by', 'shift.openedAt': 'Opened at', 'shift.left': 'Until 24 hours', 'shift.expired': 'The shift has run over 24 hours',
  'shift.hours': 'h', 'shift.minutes': 'min', 'shift.cashier': 'Manager (name)', 'shift.open': 'Open shift', 'shift.close': 'Close shift (Z)',
  'shift.confirm': 'Close the shift? The till reconciles with Koshelek and writes the Z report.', 'shift.confirmYes': 'Yes, close', 'shift.confirmNo': 'Cancel',
  'shift.closing': 'Reconciling with Koshelek and closing…', 'shift.unresolved': 'Unresolved operations', 'shift.nameRequired': 'Type the manager\'s name',
  'tender.title': 'Taken outside Koshelek', 'tender.kind': 'Kind', 'tender.amount': 'Amount, RUB', 'tender.sale': 'Sale', 'tender.refund': 'Refund',
  'tender.note': 'Note', 'tender.add': 'Record', 'tender.done': 'Recorded', 'tender.badAmount': 'Type an amount above zero',
  'tender.kind.cash': 'Cash', 'tender.kind.card_terminal': 'Card terminal', 'tender.kind.other': 'Other',
  'report.x': 'X report', 'report.z': 'Z report #', 'report.showX': 'X report', 'report.print': 'Print', 'report.printed': 'Report printed',
  'report.reprint': 'Print again', 'report.saved': 'Saved', 'report.lastZ': 'Last Z reports', 'report.noZ': 'No Z reports yet',
  'report.noReport': 'No open shift — no X report', 'report.generated': 'generated',
  'report.koshelek': 'Koshelek Pay', 'report.in': 'Payments', 'report.out': 'Refunds', 'report.net': 'Net', 'report.payments': 'Payments', 'report.cancels': 'Cancels', 'report.refunds': 'Refunds',
  'report.crossShift': 'of earlier shifts\' payments', 'report.byPaymentType': 'By payment type', 'report.tenders': 'Outside Koshelek', 'report.till': 'Till total',
  'report.reconciliation': 'Reconciliation with Koshelek', 'report.noDiff': 'no differences', 'report.diff': 'differences', 'report.checked': 'checked', 'report.notReconciled': 'not reconciled',
  'report.unresolved': 'unresolved', 'report.ops': 'Shift operations', 'report.noOps': 'No operations', 'report.tenderEntry': 'entered by hand',
  'col.time': 'Time', 'col.op': 'Operation', 'col.amount': 'Amount', 'col.ops': 'Ops', 'col.net': 'Net', 'col.closed': 'Closed',
  'rst.paid': 'paid', 'rst.rejected': 'rejected', 'rst.canceled': 'canceled', 'rst.failed': 'failed', 'rst.refunded': 'refunded',
  'rst.refund_rejected': 'refund rejected', 'rst.cancel_rejected': 'cancel rejected', 'rst.not_found': 'not found', 'rst.unresolved': 'unresolved',
  'status.shift.none': 'No shift open', 'status.shift.open': 'Shift', 'status.shift.expires_soon': 'Shift ends in', 'status.shift.expired': 'Shift expired — close it',
  'status.shift.forgotten': 'left open overnight',
  'common.sec': 's', 'common.yes': 'yes', 'common.no': 'no',
};

export const TEXTS: Record<Lang, Record<TextKey, string>> = { ru, en };

export interface I18n {
  lang: Lang;
  t: (key: TextKey) => string;
  setLang: (lang: Lang) => void;
}

export const I18nContext = createContext<I18n>({ lang: 'ru', t: (key) => ru[key], setLang: () => undefined });

export function useI18n(): I18n {
  return useContext(I18nContext);
}
