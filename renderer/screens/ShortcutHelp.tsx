// The shortcut list: «?» (or Shift+F1) anywhere, Esc closes. What every key does on every screen,
// including the ones without a button (Esc, Enter, PgUp/PgDn, arrows), and the sound switch.
import { useState, type ReactNode } from 'react';
import { useI18n } from '../lib/i18n';
import { KeyButton } from '../lib/keys';
import { setSoundEnabled, soundEnabled } from '../lib/sound';

const ROWS_RU: [string, string][] = [
  ['F1 / F2 / F3 / F11', 'Продажа / Возврат / Журнал / Смена и отчёты (не во время оплаты)'],
  ['F4', 'Русский ⇄ English'],
  ['? или Shift+F1', 'этот список'],
  ['Продажа', ''],
  ['цифры', 'сумма покупки — курсор всегда в поле суммы после F10'],
  ['F5', 'добавить товар (весовой: «кг», вес через запятую 0,350)'],
  ['F9', 'оплатить: с картой покупателя — проверка способов, без карты — выбор способа (терминал); при необычно большой сумме — F9 ещё раз'],
  ['1 … 9', 'выбор способа оплаты по номеру в списке'],
  ['F6 / F7 / F8', 'выбор способа оплаты: первый / второй доступный / другой способ вне кассы (наличные, карта)'],
  ['Esc', 'отменить оплату, пока покупатель не подтвердил; исправить большую сумму'],
  ['Enter', 'в поле суммы — оплатить; на ошибке — выполнить предложенное действие'],
  ['F10', 'новая продажа'],
  ['F12', 'камера: отсканировать карту с экрана телефона'],
  ['Alt+1 … Alt+9 / Alt+0', 'после скана карты: оплатить сохранённой картой покупателя / привязать карту (проверочное списание вернётся сразу)'],
  ['Возврат', ''],
  ['Enter', 'найти по части номера заказа, транзакции, карты, по сумме или времени (14:05)'],
  ['↑ ↓ / PgUp PgDn', 'выбрать оплату / листать найденное'],
  ['F6 / F7 / F8', 'вернуть всё / сумму / товары — сначала касса покажет, что вернётся'],
  ['F9 / Esc', 'провести возврат / не возвращать'],
  ['Журнал', ''],
  ['PgUp PgDn, F5', 'листать, обновить'],
  ['Alt+Q — очередь чеков', ''],
  ['↑ ↓ / F5', 'выбрать чек / обновить'],
  ['F6 / F8', 'повторить отправку сейчас (после устранения причины) / напечатать блок чека'],
];
const ROWS_EN: [string, string][] = [
  ['F1 / F2 / F3 / F11', 'Sale / Refund / Journal / Shift and reports (not during a payment)'],
  ['F4', 'Русский ⇄ English'],
  ['? or Shift+F1', 'this list'],
  ['Sale', ''],
  ['digits', 'the amount: after F10 the cursor is always in the amount'],
  ['F5', 'add the item (weighed: «kg», weight with a decimal comma 0,350)'],
  ['F9', 'pay: with the customer card the methods are checked, without it choose the method (terminal); an unusually large amount needs F9 again'],
  ['1 … 9', 'payment method by its number in the list'],
  ['F6 / F7 / F8', 'payment method: first / second available / other outside the till (cash, card)'],
  ['Esc', 'cancel the payment before the customer confirms; fix a large amount'],
  ['Enter', 'in the amount: pay; on an error: do the suggested action'],
  ['F10', 'new sale'],
  ['F12', 'camera: scan the card from the phone screen'],
  ['Alt+1 … Alt+9 / Alt+0', 'after a card scan: pay by the customer\'s saved card / bind a card (the verification charge is refunded at once)'],
  ['Refund', ''],
  ['Enter', 'find by part of an order / transaction / card number, an amount or a time (14:05)'],
  ['↑ ↓ / PgUp PgDn', 'pick a payment / page'],
  ['F6 / F7 / F8', 'refund all / an amount / items; the till first shows what goes back'],
  ['F9 / Esc', 'make the refund / do not'],
  ['Journal', ''],
  ['PgUp PgDn, F5', 'page, refresh'],
  ['Alt+Q — receipt queue', ''],
  ['↑ ↓ / F5', 'pick a receipt / refresh'],
  ['F6 / F8', 'retry sending now (after fixing the cause) / print the receipt block'],
];

export function ShortcutHelp({ onClose }: { onClose: () => void }): ReactNode {
  const { lang, t } = useI18n();
  const [sound, setSound] = useState(soundEnabled());
  const rows = lang === 'ru' ? ROWS_RU : ROWS_EN;
  return (
    <div className="help-backdrop" onClick={onClose}>
      <section className="help" role="dialog" aria-label={t('help.title')} data-testid="shortcut-help" onClick={(e) => e.stopPropagation()}>
        <div className="help-head">
          <h2>{t('help.title')}</h2>
          <button type="button" className="btn btn-plain small" data-testid="sound-toggle" onClick={() => { setSoundEnabled(!sound); setSound(!sound); }}>
            {sound ? t('help.soundOn') : t('help.soundOff')}
          </button>
          <KeyButton k="Escape" onPress={onClose} testId="help-close">{t('help.close')}</KeyButton>
        </div>
        <table className="help-keys">
          <tbody>
            {rows.map(([key, what], i) => (what
              ? <tr key={`${key}-${i}`}><td><kbd>{key}</kbd></td><td>{what}</td></tr>
              : <tr key={`${key}-${i}`} className="help-section"><td colSpan={2}>{key}</td></tr>))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
