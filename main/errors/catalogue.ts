// The error catalogue: every HTTP status, 422 code, errorCode, network fault and config fault maps to
// one entry with a short Russian instruction for the cashier (seed 003 §5.2; reference §5.2) and an
// English one. The renderer shows only these texts; technical details stay folded for IT.

/** The one action the error screen offers. */
export type CashierAction =
  | 'rescan' // scan the customer's card again
  | 'retry' // repeat the same operation
  | 'other_method' // take payment another way
  | 'call_admin' // needs an administrator / IT
  | 'wait' // nothing to do, the till is finishing it
  | 'check_status' // look at the operation's result
  | 'fix_config' // IT must correct paydesk.config.json
  | 'none';

export interface CatalogueEntry {
  ru: string;
  en: string;
  action: CashierAction;
  severity: 'info' | 'warning' | 'error';
}

const e = (ru: string, en: string, action: CashierAction, severity: CatalogueEntry['severity'] = 'error'): CatalogueEntry => ({ ru, en, action, severity });

export const CATALOGUE = {
  // ---- Koshelek 422 `code` and 200 `errorCode` values (reference §5.2; "(ours)" texts where the docs are silent)
  'koshelek.EXTERNAL_PROVIDER_ERROR': e('Попробуйте ещё раз или выберите другой способ оплаты.', 'Try again or choose another payment method.', 'other_method'),
  'koshelek.UNKNOWN_SESSION_ID': e('Повторно отсканируйте карту лояльности и повторите.', 'Rescan the loyalty card and retry.', 'rescan'),
  'koshelek.UNKNOWN_TRANSACTION_ID': e('Попробуйте ещё раз или выберите другой способ оплаты.', 'Try again or choose another payment method.', 'other_method'),
  'koshelek.UNKNOWN_PARTNER_ID': e('Техническая ошибка. Обратитесь к администратору: магазин не найден.', 'Technical error: store not found. Call the administrator.', 'call_admin'),
  'koshelek.WRONG_TRANSACTION_STATE_CHANGE': e('Попробуйте ещё раз или выберите другой способ оплаты.', 'Try again or choose another payment method.', 'other_method'),
  'koshelek.PAYMENT_TRANSACTION_IS_NOT_PAID': e('Попробуйте ещё раз через {minutes} мин. или обратитесь к администратору.', 'Try again in {minutes} min or call the administrator.', 'call_admin'),
  'koshelek.CANCEL_REFUNDING_BY_BANK': e('Возврат отклонён банком. Обратитесь к администратору.', 'The bank cancelled the refund. Call the administrator.', 'call_admin'),
  'koshelek.TRANSACTION_FOR_SESSION_ID_ALREADY_EXISTS': e('По этой карте оплата уже создана. Попросите покупателя обновить карту в приложении и отсканируйте заново.', 'A payment already exists for this card session. Ask the customer to refresh the card and rescan.', 'rescan'),
  'koshelek.TRANSACTION_FOR_SESSION_ID_ALREADY_PAYED': e('Покупка по этой карте уже оплачена. Проверьте журнал операций.', 'This card session is already paid. Check the journal.', 'check_status'),
  'koshelek.TRANSACTION_IN_PROCESSING': e('Оплата обрабатывается, подождите.', 'The payment is being processed; please wait.', 'wait', 'info'),
  'koshelek.NOT_ENOUGH_LIMIT_TO_PAY': e('Недостаточно лимита. Выберите другой способ оплаты.', 'Not enough limit. Choose another payment method.', 'other_method'),
  'koshelek.TOTAL_AMOUNT_IS_TOO_SMALL': e('Сумма покупки меньше 4 ₽. Выберите другой способ оплаты.', 'The amount is below 4 RUB. Choose another payment method.', 'other_method'),
  'koshelek.PAYMENT_DECLINED_BY_EXTERNAL_PROVIDER': e('Оплата отклонена. Выберите другой способ оплаты.', 'The payment was declined. Choose another payment method.', 'other_method'),
  'koshelek.SUBSCRIPTION_IS_NOT_FOUND': e('Оплата недоступна. Выберите другой способ оплаты.', 'Payment is not available. Choose another payment method.', 'other_method'),
  'koshelek.PAYMENT_ORDER_IS_NOT_FOUND': e('Операция не найдена. Обратитесь к администратору.', 'The operation was not found. Call the administrator.', 'call_admin'),
  'koshelek.TERMINAL_STATE_OF_PAYMENT_TRANSACTION': e('Возврат невозможен: оплата отменена или уже полностью возвращена.', 'Refund impossible: the payment was cancelled or fully refunded already.', 'check_status'),
  'koshelek.PAYMENT_TRANSACTION_IS_BEING_REFUNDED_ALREADY': e('Предыдущий возврат ещё не завершён. Повторите позже.', 'A previous refund is still in progress. Try again later.', 'wait', 'warning'),
  'koshelek.REQUESTED_REFUND_AMOUNT_IS_GREATER_THAN_AVAILABLE': e('Сумма возврата больше доступной. Проверьте сумму.', 'The refund is larger than what is left. Check the amount.', 'retry'),
  'koshelek.UNEXPECTED_REFUND_AMOUNT_LEFT_FROM_EXTERNAL_PROVIDER': e('Ошибка возврата у провайдера. Обратитесь к администратору.', 'The provider reported a refund error. Call the administrator.', 'call_admin'),
  'koshelek.unknown_code': e('Операция отклонена. Выберите другой способ оплаты или обратитесь к администратору.', 'The operation was refused. Choose another method or call the administrator.', 'other_method'),

  // ---- HTTP statuses outside the contract (reference §5.1 GAP; our mapping)
  'http.400': e('Техническая ошибка запроса. Обратитесь к администратору.', 'The server rejected the request as malformed. Call the administrator.', 'call_admin'),
  'http.401': e('Касса не авторизована в Кошелёк Pay. Обратитесь к администратору (логин/пароль).', 'Not authorised with Koshelek Pay (login/password). Call the administrator.', 'fix_config'),
  'http.403': e('Доступ запрещён. Обратитесь к администратору.', 'Access forbidden. Call the administrator.', 'fix_config'),
  'http.404': e('Адрес сервиса оплаты указан неверно. Обратитесь к администратору.', 'Wrong payment service address. Call the administrator.', 'fix_config'),
  'http.429': e('Сервис оплаты перегружен. Подождите, касса повторит запрос.', 'The payment service is rate limiting; the till will retry.', 'wait', 'warning'),
  'http.5xx': e('Сервис оплаты не отвечает. Касса повторяет запрос, подождите.', 'The payment service failed; the till is retrying.', 'wait', 'warning'),
  'http.unexpected': e('Неожиданный ответ сервиса оплаты. Обратитесь к администратору.', 'Unexpected answer from the payment service. Call the administrator.', 'call_admin'),
  'response.invalid': e('Сервис оплаты прислал неверный ответ. Касса проверяет статус, подождите.', 'The payment service sent an invalid answer; the till is checking the status.', 'wait', 'warning'),

  // ---- network faults
  'network.timeout': e('Нет ответа от сервиса оплаты. Касса повторяет запрос, подождите.', 'No answer from the payment service; the till is retrying.', 'wait', 'warning'),
  'network.refused': e('Нет связи с сервисом оплаты. Проверьте интернет или выберите другой способ оплаты.', 'Cannot reach the payment service. Check the network or use another method.', 'other_method'),
  'network.reset': e('Связь прервалась. Касса проверяет статус оплаты, подождите.', 'The connection dropped; the till is checking the payment status.', 'wait', 'warning'),
  'network.dns': e('Нет связи с сервисом оплаты (адрес не найден). Обратитесь к администратору.', 'The payment service host cannot be resolved. Call the administrator.', 'call_admin'),
  'network.tls': e('Ошибка защищённого соединения. Обратитесь к администратору.', 'TLS error talking to the payment service. Call the administrator.', 'call_admin'),
  'network.other': e('Нет связи с сервисом оплаты. Касса повторяет запрос, подождите.', 'Network error; the till is retrying.', 'wait', 'warning'),

  // ---- payment flow outcomes the cashier must act on
  'payment.not_available': e('Кошелёк Pay недоступен для покупателя. Выберите другой способ оплаты.', 'Koshelek Pay is not available for this customer. Choose another method.', 'other_method', 'info'),
  'payment.no_card_session': e('Карта без Кошелёк Pay: примите оплату другим способом.', 'This card has no Koshelek Pay session: take payment another way.', 'other_method', 'info'),
  'payment.auto_canceled_no_answer': e('Результат оплаты неизвестен: сервис не ответил, касса выясняет. Не принимайте другую оплату и не отдавайте товар, пока результат не известен.', 'The payment result is unknown: no answer from the payment service. The till is finding out and will cancel it. Take no other payment and hand over no goods until the result is known.', 'wait', 'warning'),
  'payment.canceled_no_answer': e('Оплата отменена: сервис оплаты не ответил вовремя. Деньги не списаны. Выберите другой способ оплаты.', 'The payment was cancelled: the payment service did not answer in time. Nothing was charged. Choose another method.', 'other_method'),
  'payment.auto_canceled_timeout': e('Покупатель не подтвердил оплату за {seconds} с, оплата отменена. Повторите или выберите другой способ.', 'The customer did not confirm within {seconds} s; the payment was cancelled. Retry or use another method.', 'other_method'),
  'availability.unavailable': e('Не удалось проверить доступность Кошелёк Pay: сервис не ответил. Повторите попытку или примите оплату другим способом.', 'Could not check Koshelek Pay availability: no answer. Try again or take another payment method.', 'retry', 'warning'),
  'payment.order_conflict': e('По этому чеку уже начата оплата с другой суммой или картой. Проверьте результат в журнале; для новой покупки начните новый чек.', 'A payment with another amount or card is already started for this order. Check the journal; start a new sale for a new purchase.', 'check_status', 'warning'),
  'refund.key_conflict': e('Этот возврат уже запрошен с другой суммой. Проверьте журнал; для нового возврата начните его заново.', 'This refund was already requested with another amount. Check the journal; start a new refund for another amount.', 'check_status', 'warning'),
  'payment.held_connection': e('Операция начата на другом подключении к Кошелёк Pay; касса её не трогает. Обратитесь к администратору: нужны исходные настройки подключения.', 'The operation was started on another Koshelek Pay connection and cannot be finished on this one; the till leaves it untouched. IT must restore the original connection settings.', 'call_admin'),
  'payment.parked_paid': e('Отложенная оплата завершилась успешно после ухода покупателя. Менеджеру: оформите возврат или свяжитесь с покупателем.', 'A parked payment ended paid after the customer left. Manager: refund it or contact the customer.', 'check_status', 'warning'),
  'payment.canceled': e('Оплата отменена.', 'The payment was cancelled.', 'none', 'info'),
  'payment.cancel_declined_paid': e('Отмена невозможна: покупатель уже оплатил. Пробейте чек или оформите возврат.', 'Cannot cancel: the customer has already paid. Issue the receipt or make a refund.', 'check_status', 'warning'),
  'payment.in_progress': e('Оплата по этому чеку уже идёт. Дождитесь результата.', 'A payment for this order is already in progress. Wait for the result.', 'wait', 'info'),
  'payment.already_paid': e('Этот чек уже оплачен.', 'This order is already paid.', 'check_status', 'info'),
  'payment.card_session_used': e('Этот код карты уже использован. Попросите покупателя обновить карту и отсканируйте заново.', 'This card code was used already. Ask the customer to refresh the card and rescan.', 'rescan'),
  'payment.amount_invalid': e('Неверная сумма. Проверьте сумму покупки.', 'Invalid amount. Check the purchase total.', 'retry'),
  'payment.unresolved': e('Результат оплаты ещё не известен. Касса проверяет его, не принимайте оплату повторно.', 'The payment result is not known yet; the till keeps checking. Do not take payment again.', 'wait', 'warning'),
  'payment.method_unknown': e('Этот способ оплаты не настроен на кассе. Обратитесь к администратору.', 'This payment method is not configured on the till. Call the administrator.', 'fix_config'),

  // ---- refunds (local checks before anything leaves the till)
  'refund.rejected': e('Кошелёк отклонил возврат. Деньги покупателю не возвращены. Причина — в подробностях; обратитесь к администратору.', 'Koshelek refused the refund; nothing was returned. The reason is in the details; call the administrator.', 'call_admin'),
  'refund.not_paid': e('Возврат возможен только по оплаченной покупке.', 'Only a paid purchase can be refunded.', 'check_status'),
  'refund.exceeds_available': e('Сумма возврата больше оставшейся суммы оплаты. Проверьте сумму.', 'The refund exceeds what is left of the payment. Check the amount.', 'retry'),
  'refund.non_piece_partial': e('Весовой товар возвращается только целиком.', 'Items sold by weight or measure can only be refunded whole.', 'retry'),
  'refund.in_progress': e('Возврат обрабатывается. Дождитесь результата.', 'The refund is being processed. Wait for the result.', 'wait', 'info'),
  'refund.payment_not_found': e('Оплата не найдена. Проверьте номер заказа или транзакции.', 'Payment not found. Check the order or transaction id.', 'retry'),

  // ---- configuration, storage, contract
  'config.invalid': e('Ошибка в настройках кассы. Обратитесь к администратору; касса работает с прежними настройками.', 'The config edit is invalid; the last good config stays live. Call IT.', 'fix_config', 'warning'),
  'config.credentials_missing': e('Продажи Кошелёк Pay заблокированы: не задан логин или пароль. Администратору: koshelek.login, koshelek.password (или PAYDESK_KOSHELEK_PASSWORD).', 'Koshelek Pay sales are blocked: the connection login or password is missing. IT: set koshelek.login and koshelek.password (or PAYDESK_KOSHELEK_PASSWORD).', 'fix_config'),
  'config.public_totp_key': e('Продажи Кошелёк Pay заблокированы: в настройках TOTP публичный тестовый ключ. Администратору: totp.cards[].keyHex — ключ от Кошелька.', 'Koshelek Pay sales are blocked: the TOTP config holds the public test key. IT: set totp.cards[].keyHex to the key issued by Koshelek.', 'fix_config'),
  'config.insecure_permissions': e('Продажи заблокированы: файл настроек доступен другим пользователям компьютера. Обратитесь к администратору (ИТ: chmod 600 для файла настроек).', 'Sales are blocked: the config file is readable by other users. IT: chmod 600 the config file.', 'fix_config'),
  'journal.unavailable': e('Журнал кассы недоступен: новые продажи временно запрещены. Касса повторяет запись; если это не проходит, обратитесь к администратору.', 'The till journal is unavailable: new sales are refused until it recovers. Call IT if it persists.', 'call_admin'),
  'operation.state_unreadable': e('Сохранённое состояние операции не читается (повреждено или записано другой версией Paydesk). Касса её не трогает. Обратитесь к администратору.', 'The operation\'s saved state cannot be read (corrupted or written by another Paydesk version); the till leaves it untouched. Call IT.', 'call_admin'),
  'refund.not_supported': e('Эту оплату нельзя вернуть через кассу: сделайте возврат там, где она принята (например, на терминале), или обратитесь к администратору.', 'This payment cannot be refunded from the till: refund it where it was taken (e.g. on the terminal) or call IT.', 'call_admin'),
  'refund.other_connection': e('Возврат невозможен на текущем подключении: оплата проведена через другое подключение к Кошелёк Pay. Обратитесь к администратору.', 'Refund impossible on this connection: the payment was made on another Koshelek Pay connection. Call IT.', 'call_admin'),
  'config.emulator_mode': e('Касса работает с учебным сервером (эмулятором): деньги не списываются.', 'The till runs against the embedded emulator: no real money moves.', 'none', 'info'),
  'journal.future_db': e('База данных кассы новее программы. Обратитесь к администратору.', 'The database is newer than this Paydesk. Call IT.', 'call_admin'),
  'journal.io': e('Ошибка записи журнала кассы. Обратитесь к администратору.', 'The till cannot write its journal. Call IT.', 'call_admin'),
  'ipc.invalid': e('Внутренняя ошибка кассы. Повторите действие.', 'Invalid request from the UI. Repeat the action.', 'retry'),
  'internal.unexpected': e('Внутренняя ошибка кассы. Повторите или обратитесь к администратору.', 'Unexpected internal error. Retry or call IT.', 'call_admin'),

  // ---- barcode and scanner (owned by the scanning capability; add keys here)
  'barcode.invalid': e('Штрихкод не распознан. Отсканируйте карту ещё раз.', 'The barcode was not recognised. Scan the card again.', 'rescan'),
  'scan.busy': e('Идёт оплата: скан не применён. Дождитесь окончания оплаты.', 'A payment is in flight: the scan was not applied. Wait until it finishes.', 'wait', 'warning'),
  'barcode.wrong_prefix': e('Это не карта лояльности магазина. Попросите покупателя открыть карту магазина в приложении.', 'This is not the store\'s loyalty card. Ask the customer to open the store card in the app.', 'rescan', 'warning'),
  'barcode.bad_length': e('Штрихкод прочитан не полностью. Отсканируйте карту ещё раз.', 'The barcode was read incompletely. Scan the card again.', 'rescan', 'warning'),
  'barcode.bad_characters': e('Штрихкод прочитан с ошибками. Отсканируйте карту ещё раз.', 'The barcode was misread. Scan the card again.', 'rescan', 'warning'),
  'barcode.token_invalid': e('Код оплаты прочитан с ошибкой или повреждён. Оплата не проводилась. Попросите покупателя открыть код оплаты заново и отсканируйте ещё раз.', 'The payment code was misread or is damaged. Nothing was charged. Ask the customer to open the payment code again and rescan.', 'rescan', 'warning'),
  'barcode.no_totp': e('В штрихкоде нет одноразового кода. Попросите покупателя обновить приложение и отсканируйте заново.', 'The barcode has no one-time code. Ask the customer to update the app and rescan.', 'rescan', 'warning'),
  'barcode.totp_invalid': e('Карта не прошла проверку. Попросите покупателя обновить карту в приложении и отсканируйте заново.', 'The card failed verification. Ask the customer to refresh the card in the app and rescan.', 'rescan'),
  'barcode.totp_stale': e('Код карты устарел. Попросите покупателя обновить карту (не скриншот) и отсканируйте заново. Если повторяется — проверьте часы кассы.', 'The card code is out of date. Ask the customer to refresh the card (not a screenshot) and rescan. If it repeats, check the till clock.', 'rescan', 'warning'),
  'barcode.not_decoded': e('На изображении не найден штрихкод. Отсканируйте карту сканером.', 'No barcode was found in the image. Scan the card with the scanner.', 'rescan', 'warning'),
  'barcode.verifier_error': e('Модуль проверки карт не ответил. Отсканируйте ещё раз; если повторяется — обратитесь к администратору.', 'The card verification module failed. Scan again; if it repeats, call the administrator.', 'call_admin'),
  'totp.vendor_unavailable': e('Модуль проверки карт Кошелька не подключён. Обратитесь к администратору.', 'The Koshelek card verification module is not available. Call the administrator.', 'fix_config'),
  'scanner.disconnected': e('Сканер отключён. Проверьте кабель; касса переподключится сама.', 'The scanner is disconnected. Check the cable; the till reconnects by itself.', 'wait', 'warning'),
  'scanner.reconnected': e('Сканер снова подключён.', 'The scanner is connected again.', 'none', 'info'),
  'scanner.open_failed': e('Не удалось открыть порт сканера. Обратитесь к администратору.', 'The scanner port could not be opened. Call the administrator.', 'fix_config'),
  'clock.drift': e('Часы кассы расходятся с сервером. Карты могут не проходить проверку. Обратитесь к администратору.', 'The till clock differs from the server. Cards may fail verification. Call the administrator.', 'call_admin', 'warning'),

  // ---- card terminal app-to-app (owned by main/payapi/terminal; docs/providers.md)
  'terminal.app_missing': e('Платёжное приложение терминала не найдено. Деньги не списаны. Обратитесь к администратору.', 'The terminal payment application was not found. Nothing was charged. Call IT.', 'fix_config'),
  'terminal.app_not_installed': e('Программа терминала не найдена (terminal.launch.executable). Выберите другой способ оплаты и обратитесь к администратору.', 'The terminal payment program is not found (terminal.launch.executable in the config). Use another method and call IT.', 'fix_config'),
  'terminal.unreachable': e('Нет связи с терминалом. Деньги не списаны. Проверьте терминал или выберите другой способ оплаты.', 'The terminal cannot be reached. Nothing was charged. Check it or use another method.', 'other_method'),
  'terminal.declined': e('Оплата по карте отклонена. Выберите другой способ оплаты.', 'The card payment was declined. Choose another method.', 'other_method'),
  'terminal.canceled': e('Оплата отменена на терминале. Повторите оплату или выберите другой способ.', 'The payment was cancelled on the terminal. Retry or use another method.', 'retry', 'info'),
  'terminal.aborted': e('Операция на терминале прервана, деньги не списаны. Повторите оплату.', 'The terminal aborted the operation; nothing was charged. Retry.', 'retry', 'warning'),
  'terminal.error': e('Терминал не провёл оплату. Повторите или выберите другой способ оплаты.', 'The terminal did not take the payment. Retry or use another method.', 'retry'),
  'terminal.not_started': e('Оплата на терминале не начиналась, деньги не списаны. Повторите оплату.', 'The terminal never started this payment; nothing was charged. Retry.', 'retry', 'warning'),
  'terminal.checking': e('Касса выясняет у терминала результат оплаты. Не проводите оплату повторно.', 'The till is asking the terminal for the result. Do not take payment again.', 'wait', 'warning'),
  'terminal.no_answer': e('Терминал не ответил. Касса выясняет результат, не проводите оплату повторно.', 'The terminal did not answer; the till is finding out. Do not take payment again.', 'wait', 'warning'),
  'terminal.app_killed': e('Платёжное приложение закрылось. Касса выясняет результат, не проводите оплату повторно.', 'The payment application was killed; the till is finding out. Do not take payment again.', 'wait', 'warning'),
  'terminal.app_exited': e('Платёжное приложение завершилось без ответа. Касса выясняет результат, подождите.', 'The payment application exited without an answer; the till is finding out.', 'wait', 'warning'),
  'terminal.bad_answer': e('Терминал прислал непонятный ответ. Касса выясняет результат, не проводите оплату повторно.', 'The terminal sent an unreadable answer; the till is finding out. Do not take payment again.', 'wait', 'warning'),
  'terminal.double_answer': e('Терминал ответил дважды по-разному. Касса выясняет результат, подождите.', 'The terminal answered twice, differently; the till is finding out.', 'wait', 'warning'),
  'terminal.connection_lost': e('Связь с терминалом прервалась. Касса выясняет результат, не проводите оплату повторно.', 'The connection to the terminal dropped; the till is finding out. Do not take payment again.', 'wait', 'warning'),
  'terminal.unresolved': e('Результат оплаты на терминале не известен. Не проводите оплату повторно, обратитесь к администратору.', 'The terminal payment result is still unknown. Do not take payment again; call the administrator.', 'call_admin'),
  'terminal.integrity_mismatch': e('Терминал провёл другую сумму. Не выдавайте товар, обратитесь к администратору.', 'The terminal charged a different amount. Do not hand over goods; call the administrator.', 'call_admin'),

  // ---- signed partner payments: extra charge and reversal (owned by main/payapi/partner; docs/partner.md)
  'partner.checking': e('Касса проверяет результат операции у партнёра. Не повторяйте операцию.', 'The till is confirming the operation with the partner. Do not repeat it.', 'wait', 'info'),
  'partner.rate_limited': e('Сервис партнёра перегружен. Касса повторит запрос сама, подождите.', 'The partner is rate limiting; the till retries by itself.', 'wait', 'warning'),
  'partner.declined': e('Партнёр отклонил операцию. Деньги не списаны и не возвращены. Обратитесь к администратору.', 'The partner declined the operation; no money moved. Call the administrator.', 'call_admin'),
  'partner.refused': e('Партнёр не принял операцию. Обратитесь к администратору.', 'The partner refused the operation. Call the administrator.', 'call_admin'),
  'partner.amount_exceeds': e('Сумма отмены больше оставшейся суммы оплаты. Проверьте сумму.', 'The reversal exceeds what is left of the payment. Check the amount.', 'retry'),
  'partner.payment_not_found': e('Партнёр не нашёл исходную оплату. Проверьте чек или обратитесь к администратору.', 'The partner does not know the original payment. Check the sale or call the administrator.', 'call_admin'),
  'partner.currency_mismatch': e('Валюта операции не совпадает с валютой оплаты. Обратитесь к администратору.', 'The currency differs from the payment\'s. Call the administrator.', 'call_admin'),
  'partner.signature_refused': e('Партнёр не принял подпись кассы (ключи). Обратитесь к администратору.', 'The partner refused the till\'s signature (keys). Call the administrator.', 'fix_config'),
  'partner.clock_skew': e('Часы кассы расходятся с сервером партнёра. Касса повторит запрос; если повторяется — обратитесь к администратору.', 'The till clock differs from the partner\'s; the till retries. If it repeats, call the administrator.', 'wait', 'warning'),
  'partner.conflict': e('Операция с этим номером уже создана с другими данными. Обратитесь к администратору.', 'An operation with this id exists with other data. Call the administrator.', 'call_admin'),
  'payment.extra_not_supported': e('Доплату по этой оплате касса сделать не может: примите доплату отдельной продажей.', 'This payment takes no extra charge from the till: take the difference as a separate sale.', 'other_method'),
  'payment.extra_in_progress': e('Доплата уже проводится. Дождитесь результата.', 'An extra charge is in progress. Wait for the result.', 'wait', 'info'),
  'partner.mismatch': e('Партнёр подтвердил другую сумму или операцию. Обратитесь к администратору.', 'The partner confirmed a different amount or operation. Call the administrator.', 'call_admin'),

  // ---- external payments API: Yandex Pay / PayPal by QR (owned by main/payapi/extpay; docs/extpay.md)
  'extpay.show_qr': e('Покажите покупателю QR-код для оплаты и дождитесь подтверждения.', 'Show the customer the payment QR and wait for confirmation.', 'wait', 'info'),
  'extpay.checking': e('Касса проверяет результат оплаты. Не принимайте оплату повторно.', 'The till is checking the payment result. Do not take payment again.', 'wait', 'warning'),
  'extpay.failed': e('Оплата не прошла или отменена. Выберите другой способ оплаты.', 'The payment failed or was cancelled. Choose another method.', 'other_method'),
  'extpay.currency_method': e('Этот способ оплаты не принимает валюту чека (Yandex Pay — рубли, PayPal — доллары). Выберите другой способ.', 'This method does not take the sale currency (Yandex Pay: RUB, PayPal: USD). Choose another.', 'other_method'),
  'extpay.rejected': e('Сервис оплаты отклонил запрос. Обратитесь к администратору.', 'The payment service rejected the request. Call the administrator.', 'call_admin'),
  'extpay.rate_limited': e('Сервис оплаты перегружен. Касса повторит запрос сама, продажа сохранена.', 'The payment service is rate limiting; the till retries and keeps the sale.', 'wait', 'warning'),
  'extpay.unauthorized': e('Касса не авторизована в сервисе оплаты (токен). Обратитесь к администратору.', 'Not authorised with the payment service (token). Call the administrator.', 'fix_config'),
  'extpay.mismatch': e('Сервис оплаты подтвердил другую сумму. Не выдавайте товар, обратитесь к администратору.', 'The payment service confirmed a different amount. Do not hand over goods; call the administrator.', 'call_admin'),
  'extpay.expired': e('Покупатель не оплатил по QR-коду вовремя. Выберите другой способ оплаты или повторите.', 'The customer did not pay by QR in time. Retry or choose another method.', 'other_method', 'warning'),

  // ---- shifts and reports (owned by the shifts/reports capability; add keys here)
  'shift.not_open': e('Смена не открыта. Откройте смену.', 'No shift is open. Open a shift.', 'call_admin'),
  'shift.already_open': e('Смена уже открыта. Закройте её, прежде чем открыть новую.', 'A shift is already open. Close it before opening a new one.', 'check_status', 'warning'),
  'shift.expired': e('Смена длится больше 24 часов: продажи запрещены. Закройте смену (Z-отчёт) и откройте новую.', 'The shift has run 24 hours: sales are refused. Close it (Z report) and open a new one.', 'call_admin'),
  'shift.expires_soon': e('Смена закончится через {minutes} мин. Закройте смену (Z-отчёт) до истечения 24 часов.', 'The shift ends in {minutes} min. Close it (Z report) before 24 hours pass.', 'none', 'warning'),
  'shift.forgotten': e('Смена не закрыта с прошлого дня. Закройте смену (Z-отчёт) и откройте новую.', 'The shift was left open since a previous day. Close it (Z report) and open a new one.', 'call_admin', 'warning'),
  'shift.unresolved_operations': e('Смену нельзя закрыть: есть незавершённые операции. Дождитесь их результата или проверьте статус.', 'The shift cannot close: some operations are unresolved. Wait for them or check their status.', 'check_status'),
  'shift.receipts_pending': e('Смену нельзя закрыть: есть неотправленные чеки (экран «Очередь»). Дождитесь их или закройте смену с решением старшего: кто и почему.', 'The shift cannot close: some receipts have not gone out (Queue screen). Wait for them, or close with a manager decision: who and why.', 'call_admin', 'warning'),
  'shift.environment_changed': e('Режим оплаты (эмулятор / тест / рабочий) изменён в настройках при открытой смене. Продажи остановлены: закройте смену (Z-отчёт) и откройте новую.', 'The payment environment (emulator / test / production) was changed in the config while the shift is open. Sales are stopped: close the shift (Z report) and open a new one.', 'call_admin'),
  'shift.not_found': e('Смена не найдена.', 'Shift not found.', 'none', 'info'),
  'tender.invalid': e('Неверный вид или сумма оплаты. Проверьте ввод.', 'Invalid tender kind or amount. Check the entry.', 'retry'),
  'report.not_found': e('Отчёт не найден.', 'Report not found.', 'none', 'info'),
  'report.integrity': e('Сохранённый Z-отчёт повреждён. Обратитесь к администратору.', 'A stored Z report fails its integrity check. Call IT.', 'call_admin'),
  'print.not_configured': e('Принтер чеков не настроен. Обратитесь к администратору.', 'No receipt printer is configured. Call IT.', 'fix_config', 'warning'),
  'print.failed': e('Не удалось напечатать. Отчёт сохранён — проверьте принтер и повторите печать из истории.', 'Printing failed. The report is kept: check the printer and reprint it from the history.', 'retry', 'warning'),

  // ---- durable outbox and fiscal receipts (docs/outbox.md, docs/fiscal.md)
  'outbox.payload_invalid': e('Повреждённое задание в очереди. Обратитесь к администратору.', 'A queued job is corrupt. Call IT.', 'call_admin'),
  'outbox.handler_missing': e('Касса не умеет выполнять это задание из очереди. Обратитесь к администратору.', 'The till has no handler for this queued job. Call IT.', 'call_admin'),
  'outbox.interrupted': e('Отправка прервана. Касса проверит результат и продолжит сама.', 'Sending was interrupted; the till will check the result and continue.', 'wait', 'info'),
  'fiscal.queued': e('Чек в очереди: касса отправит его сама, как только сервис ответит.', 'The receipt is queued; the till sends it as soon as the service answers.', 'wait', 'info'),
  'fiscal.processing': e('Чек принят сервисом фискализации и обрабатывается. Касса проверит результат сама.', 'The fiscal service accepted the receipt and is processing it; the till checks the result.', 'wait', 'info'),
  'fiscal.unavailable': e('Сервис фискализации недоступен. Чек в очереди, касса повторит отправку сама. Повторно оплату не принимайте.', 'The fiscal service is unavailable; the receipt is queued and will be resent. Do not take payment again.', 'wait', 'warning'),
  'fiscal.timeout': e('Сервис фискализации не ответил вовремя. Касса проверит, пробит ли чек, и повторит при необходимости.', 'The fiscal service did not answer in time; the till checks whether the receipt went through and retries if needed.', 'wait', 'warning'),
  'fiscal.rate_limited': e('Сервис фискализации перегружен. Чек в очереди, касса повторит позже.', 'The fiscal service is rate limiting; the receipt stays queued.', 'wait', 'warning'),
  'fiscal.auth': e('Касса не авторизована в сервисе фискализации. Обратитесь к администратору: проверьте логин и пароль. Чек ждёт в очереди.', 'Not authorised with the fiscal service (credentials). Call IT; the receipt waits in the queue.', 'fix_config'),
  'fiscal.config': e('Сервис фискализации настроен неверно (адрес, группа касс, ИНН). Обратитесь к администратору. Чек ждёт в очереди.', 'The fiscal service settings are wrong (address, group, INN). Call IT; the receipt waits in the queue.', 'fix_config'),
  'fiscal.rejected': e('Сервис фискализации отклонил чек. Обратитесь к администратору: проверьте данные чека (ставки НДС, суммы).', 'The fiscal service rejected the receipt data (VAT rates, sums). Call IT.', 'call_admin'),
  'fiscal.failed': e('Чек не пробит: касса фискализации сообщила об ошибке. Обратитесь к администратору, чек ждёт решения в очереди.', 'The receipt was not registered: the cash register reported an error. Call IT; the receipt waits in the queue.', 'call_admin'),
  'fiscal.response_invalid': e('Сервис фискализации прислал непонятный ответ. Касса проверит чек и повторит.', 'The fiscal service sent an invalid answer; the till checks and retries.', 'wait', 'warning'),
  'fiscal.vat_rate_invalid': e('В чеке ставка НДС, которая не разрешена настройками кассы. Обратитесь к администратору.', 'A receipt line has a VAT rate the till settings do not allow. Call IT.', 'fix_config'),
  // ---- bank acquiring: payment links, SBP, saved cards (main/acquiring, main/payapi/tochka, main/payapi/halyk; docs/banks.md)
  'saved_card.not_supported': e('Привязка карты не настроена на кассе (нужен банк с оплатой картой). Обратитесь к администратору.', 'No configured bank offers card binding. Call IT.', 'fix_config'),
  'saved_card.customer_required': e('Сначала отсканируйте карту покупателя: сохранённые карты привязаны к нему.', 'Scan the customer card first: saved cards belong to the customer.', 'rescan', 'warning'),
  'saved_card.not_found': e('Эта карта покупателя не привязана или уже отвязана. Выберите другую карту или другой способ оплаты.', 'This saved card is not bound to the customer (or was unbound). Choose another card or method.', 'other_method', 'warning'),
  'bank.creating': e('Касса создаёт ссылку на оплату в банке. Подождите.', 'The till is creating the payment link at the bank.', 'wait', 'info'),
  'bank.awaiting_customer': e('Покажите покупателю QR-код: оплата картой или через СБП на его телефоне.', 'Show the customer the QR code to pay by card or SBP on their phone.', 'wait', 'info'),
  'bank.checking': e('Банк не ответил вовремя. Касса выясняет результат, не создавайте оплату повторно.', 'The bank did not answer in time; the till is finding out. Do not take payment again.', 'wait', 'warning'),
  'bank.not_created': e('Ссылка на оплату не была создана, деньги не списаны. Повторите оплату.', 'The payment link was never created; nothing was charged. Retry.', 'retry', 'warning'),
  'bank.unresolved': e('Результат оплаты в банке не известен. Не принимайте оплату повторно, обратитесь к администратору.', 'The bank payment result is still unknown. Do not take payment again; call the administrator.', 'call_admin'),
  'bank.declined': e('Банк отклонил оплату. Выберите другой способ оплаты.', 'The bank declined the payment. Choose another method.', 'other_method'),
  'bank.expired': e('Время на оплату по ссылке истекло, деньги не списаны. Повторите оплату.', 'The payment link expired; nothing was charged. Retry.', 'retry', 'warning'),
  'bank.canceled': e('Оплата отменена, деньги не списаны.', 'The payment was cancelled; nothing was charged.', 'none', 'info'),
  'bank.canceling': e('Отмена: касса ждёт, пока ссылка перестанет действовать. Если покупатель успел оплатить — оформите возврат.', 'Cancelling: the till waits for the link to lapse. If the customer paid meanwhile, refund it.', 'wait', 'warning'),
  'bank.paid_after_cancel': e('Покупатель оплатил уже после отмены. Выдайте товар или оформите возврат.', 'The customer paid after the cancel. Hand over the goods or refund.', 'check_status', 'warning'),
  'bank.amount_mismatch': e('Банк провёл другую сумму. Не выдавайте товар, обратитесь к администратору.', 'The bank charged a different amount. Do not hand over goods; call the administrator.', 'call_admin'),
  'provider.down': e('Нет связи с платёжной системой. Выберите другой способ оплаты и сообщите администратору.', 'The payment system cannot be reached. Use another method and tell IT.', 'other_method'),
  'provider.degraded': e('Платёжная система отвечает с перебоями. Если оплата не проходит — выберите другой способ оплаты или сообщите администратору.', 'The payment system answers intermittently. If a payment fails, use another method or tell IT.', 'other_method', 'warning'),
  'bank.unavailable': e('Банк не отвечает. Выберите другой способ оплаты или подождите.', 'The bank does not answer. Use another method or wait.', 'other_method', 'warning'),
  'bank.rejected': e('Банк отклонил запрос. Обратитесь к администратору.', 'The bank rejected the request. Call the administrator.', 'call_admin'),
  'bank.response_invalid': e('Банк прислал непонятный ответ. Касса выясняет результат, подождите.', 'The bank sent an unreadable answer; the till is finding out.', 'wait', 'warning'),
  'bank.disabled': e('Оплата через этот банк выключена в настройках. Выберите другой способ оплаты.', 'This bank is switched off in the configuration. Use another method.', 'other_method'),
  'bank.refund_queued': e('Возврат поставлен в очередь, касса отправит его в банк сама.', 'The refund is queued; the till sends it to the bank by itself.', 'none', 'info'),
  'bank.refund_checking': e('Банк не ответил на возврат вовремя. Касса выясняет результат, не оформляйте возврат повторно.', 'The bank did not answer the refund in time; the till is finding out. Do not refund again.', 'wait', 'warning'),
  'bank.refund_rejected': e('Банк отклонил возврат. Обратитесь к администратору.', 'The bank refused the refund. Call the administrator.', 'call_admin'),
  'bank.card_not_saved': e('Банк не сохранил карту. Попросите покупателя повторить привязку.', 'The bank did not save the card. Ask the customer to bind it again.', 'retry', 'warning'),
  'tochka.acquiring_off': e('Интернет-эквайринг в банке Точка не подключён. Обратитесь к администратору.', 'Tochka internet acquiring is not activated for the company. Call the administrator.', 'fix_config'),
  'tochka.forbidden': e('Ключ банка Точка недействителен или без нужных прав. Обратитесь к администратору.', 'The Tochka token is invalid or lacks permissions. Call the administrator.', 'fix_config'),
  'tochka.no_business_customer': e('В банке Точка не найдена компания (Business). Обратитесь к администратору.', 'No Business customer in Tochka. Call the administrator.', 'fix_config'),
  'tochka.no_active_retailer': e('В банке Точка нет действующей торговой точки эквайринга. Обратитесь к администратору.', 'No active Tochka acquiring retail point. Call the administrator.', 'fix_config'),
  'tochka.retailer_ambiguous': e('В банке Точка несколько торговых точек: укажите merchantId в настройках. Обратитесь к администратору.', 'Several Tochka retail points: set merchantId in the config. Call the administrator.', 'fix_config'),
  'tochka.sbp_refund_in_bank': e('Возврат оплаты по QR кассы оформляется в интернет-банке Точки. Обратитесь к администратору.', 'Cashbox QR refunds are made in the Tochka internet bank. Call the administrator.', 'call_admin'),
  'halyk.auth': e('Касса не авторизована в Halyk ePay. Обратитесь к администратору.', 'Not authorised with Halyk ePay. Call the administrator.', 'fix_config'),
  'webhook.bad_signature': e('Получено уведомление банка с неверной подписью, оно отклонено. Сообщите администратору.', 'A bank notification with a bad signature was refused. Tell the administrator.', 'call_admin', 'warning'),

  // ---- people, sign-in, access, approvals, audit, balances, orders (docs/people-and-audit.md)
  'signin.wrong_pin': e('Неверный PIN-код. Повторите ввод.', 'Wrong PIN. Try again.', 'retry', 'warning'),
  'signin.locked': e('Слишком много неверных попыток. Вход заблокирован на {minutes} мин. или обратитесь к администратору.', 'Too many wrong attempts. Sign-in is locked for {minutes} min, or call the administrator.', 'wait', 'warning'),
  'signin.unknown_card': e('Карта сотрудника не найдена. Войдите по PIN-коду или обратитесь к администратору.', 'Staff card not recognised. Sign in with your PIN or call the administrator.', 'retry', 'warning'),
  'signin.inactive': e('Сотрудник отключён. Обратитесь к администратору.', 'This person is deactivated. Call the administrator.', 'call_admin'),
  'signin.pin_weak': e('PIN-код должен состоять из 4–8 цифр и не быть простым (1111, 1234). Введите другой.', 'The PIN must be 4–8 digits and not trivial (1111, 1234). Choose another.', 'retry', 'warning'),
  'signin.yandex_required': e('Для этой роли вход только через Яндекс ID. Нажмите «Войти через Яндекс».', 'This role signs in through Yandex ID only. Press "Sign in with Yandex".', 'retry', 'info'),
  'signin.required': e('Войдите в кассу: выберите себя и введите PIN-код или приложите карту сотрудника.', 'Sign in: choose yourself and enter your PIN, or scan your staff card.', 'retry', 'info'),
  'session.invalid': e('Сеанс завершён. Войдите снова.', 'The session has ended. Sign in again.', 'retry', 'info'),
  'session.locked': e('Касса заблокирована. Войдите, чтобы продолжить.', 'The till is locked. Sign in to continue.', 'retry', 'info'),
  'people.not_found': e('Сотрудник не найден.', 'Person not found.', 'retry', 'warning'),
  'people.duplicate': e('Такой сотрудник, карта или логин Яндекса уже есть.', 'That person, card or Yandex login already exists.', 'retry', 'warning'),
  'access.denied': e('Недостаточно прав: {reason}. Обратитесь к администратору.', 'Not allowed: {reason}. Call the administrator.', 'call_admin', 'warning'),
  'access.needs_approval': e('Нужно подтверждение старшего: {reason}. Попросите его ввести PIN-код или приложить карту.', 'Needs a supervisor: {reason}. Ask them to enter their PIN or scan their card.', 'call_admin', 'info'),
  'access.matrix_invalid': e('Матрица прав заполнена неверно, изменения не сохранены.', 'The access matrix is invalid; nothing was saved.', 'retry', 'warning'),
  'access.escalation': e('Нельзя выдать право, которого у вас нет.', 'You cannot grant a right you do not have.', 'call_admin', 'warning'),
  'approval.same_person': e('Подтвердить должен другой сотрудник.', 'A different person must approve.', 'call_admin', 'warning'),
  'approval.not_allowed': e('У подтверждающего нет прав на это действие. Позовите другого старшего.', 'The approver is not allowed to do this. Ask another supervisor.', 'call_admin', 'warning'),
  'audit.broken': e('Журнал аудита повреждён (запись {reason}). Обратитесь к администратору.', 'The audit trail is broken (entry {reason}). Call IT.', 'call_admin'),
  'balance.insufficient': e('На балансе покупателя недостаточно средств.', 'The customer balance is too low.', 'check_status', 'warning'),
  'balance.disabled': e('Балансы покупателей в этом магазине выключены.', 'Customer balances are off in this store.', 'none', 'info'),
  'balance.invalid': e('Неверная сумма или номер карты покупателя. Проверьте ввод.', 'Invalid amount or loyalty id. Check the entry.', 'retry', 'warning'),
  'refund.service_not_finished': e('Возврат невозможен: услуга запланирована или идёт. Сначала отмените её.', 'No refund: the service is scheduled or in progress. Cancel it first.', 'check_status', 'warning'),
  'refund.service_completed_admin': e('Возврат за оказанную услугу оформляет только администратор.', 'Only an administrator may refund a completed service.', 'call_admin', 'warning'),
  'yandex.disabled': e('Вход через Яндекс выключен в настройках кассы.', 'Yandex sign-in is off in the till settings.', 'fix_config', 'info'),
  'yandex.unavailable': e('Яндекс недоступен. Войдите по PIN-коду, если это разрешено, или повторите позже.', 'Yandex cannot be reached. Use the PIN fallback if allowed, or retry later.', 'retry', 'warning'),
  'yandex.expired': e('Код входа через Яндекс истёк. Получите новый код.', 'The Yandex sign-in code expired. Get a new code.', 'retry', 'info'),
  'yandex.denied': e('Вход через Яндекс отклонён.', 'The Yandex sign-in was denied.', 'retry', 'warning'),
  'yandex.not_linked': e('Этот аккаунт Яндекса не привязан к сотруднику кассы. Обратитесь к администратору.', 'This Yandex account is not linked to anyone at the till. Call the administrator.', 'call_admin', 'warning'),
  'yandex.bad_answer': e('Яндекс прислал непонятный ответ. Повторите позже.', 'Yandex sent an invalid answer. Retry later.', 'retry', 'warning'),
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorKey = keyof typeof CATALOGUE;

export function isErrorKey(key: string): key is ErrorKey {
  return Object.prototype.hasOwnProperty.call(CATALOGUE, key);
}

export interface ErrorVars {
  minutes?: number;
  /** The configured final-status limit (koshelek.timing.finalStatusTimeoutMs), in seconds. */
  seconds?: number;
  /** A short Russian/English phrase filled into `{reason}` (access decisions, the broken audit entry). */
  reason?: string;
}

function fill(text: string, vars: ErrorVars): string {
  return text
    .replace('{minutes}', String(vars.minutes ?? 5))
    .replace('{seconds}', String(vars.seconds ?? 30))
    .replace('{reason}', vars.reason ?? '—');
}

/** What crosses to the renderer: texts and action only, never request bodies or secrets. */
export interface CashierError {
  key: ErrorKey;
  ru: string;
  en: string;
  action: CashierAction;
  severity: CatalogueEntry['severity'];
  /** For IT, folded away on screen: codes and ids, never credentials. */
  details?: string;
}

export function describeError(key: ErrorKey, details?: string, vars: ErrorVars = {}): CashierError {
  const entry: CatalogueEntry = CATALOGUE[key];
  return { key, ru: fill(entry.ru, vars), en: fill(entry.en, vars), action: entry.action, severity: entry.severity, ...(details ? { details } : {}) };
}

/** A typed error carrying a catalogue key. Thrown by the core; turned into CashierError at the edges. */
export class PaydeskError extends Error {
  constructor(readonly key: ErrorKey, readonly details?: string, readonly vars: ErrorVars = {}) {
    super(`${key}${details ? `: ${details}` : ''}`);
    this.name = 'PaydeskError';
  }

  toCashier(): CashierError {
    return describeError(this.key, this.details, this.vars);
  }
}

/** Catalogue key for a Koshelek 422 code or 200 errorCode; unknown codes are handled, not crashes. */
export function koshelekCodeKey(code: string): ErrorKey {
  const key = `koshelek.${code}`;
  return isErrorKey(key) ? key : 'koshelek.unknown_code';
}

export function httpStatusKey(status: number): ErrorKey {
  if (status === 400 || status === 401 || status === 403 || status === 404 || status === 429) return `http.${status}` as ErrorKey;
  if (status >= 500) return 'http.5xx';
  return 'http.unexpected';
}

export function toCashierError(error: unknown): CashierError {
  if (error instanceof PaydeskError) return error.toCashier();
  return describeError('internal.unexpected', error instanceof Error ? error.message : String(error));
}
