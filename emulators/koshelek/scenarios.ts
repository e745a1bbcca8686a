// Scripted customer behaviour of the Koshelek Pay emulator, chosen by the first two characters of the
// cardSession (the 6-character session of a 1-D barcode). See docs/emulator.md for the table.

export type ScenarioCode = 'OK' | 'CH' | 'LM' | 'DC' | 'SL' | 'BD' | 'NA' | 'DL' | 'RN' | 'CR';

export interface Scenario {
  code: ScenarioCode;
  /** availability-info answer. */
  koshelekPayIsDefault: boolean;
  available: { SBP: boolean; DOLYAME: boolean };
  /** checkout answers 422 UNKNOWN_SESSION_ID (and availability too). */
  unknownSession: boolean;
  /** What the customer/provider does with the payment after confirmDelayMs; 'stall' = pending forever. */
  outcome: 'accept' | 'reject' | 'stall';
  rejectCode?: string;
  /** Refunds come back refStatus 'new' and complete after confirmDelayMs. */
  asyncRefund: boolean;
  /** Cancels come back refStatus 'new' and complete after confirmDelayMs. */
  asyncCancel: boolean;
}

const base: Omit<Scenario, 'code'> = {
  koshelekPayIsDefault: true,
  available: { SBP: true, DOLYAME: true },
  unknownSession: false,
  outcome: 'accept',
  asyncRefund: false,
  asyncCancel: false,
};

export const SCENARIOS: Readonly<Record<ScenarioCode, Scenario>> = {
  OK: { ...base, code: 'OK' },
  CH: { ...base, code: 'CH', koshelekPayIsDefault: false },
  LM: { ...base, code: 'LM', outcome: 'reject', rejectCode: 'NOT_ENOUGH_LIMIT_TO_PAY' },
  DC: { ...base, code: 'DC', outcome: 'reject', rejectCode: 'PAYMENT_DECLINED_BY_EXTERNAL_PROVIDER' },
  SL: { ...base, code: 'SL', outcome: 'stall' },
  BD: { ...base, code: 'BD', unknownSession: true },
  NA: { ...base, code: 'NA', koshelekPayIsDefault: false, available: { SBP: false, DOLYAME: false } },
  DL: { ...base, code: 'DL', available: { SBP: false, DOLYAME: true } },
  RN: { ...base, code: 'RN', asyncRefund: true },
  CR: { ...base, code: 'CR', asyncCancel: true },
};

export const SCENARIO_CODES = Object.keys(SCENARIOS) as ScenarioCode[];

export function isScenarioCode(s: string): s is ScenarioCode {
  return Object.prototype.hasOwnProperty.call(SCENARIOS, s);
}

/** Any cardSession whose prefix is not a known scenario behaves like 'OK'. */
export function scenarioFor(cardSession: string): Scenario {
  const prefix = cardSession.slice(0, 2).toUpperCase();
  return isScenarioCode(prefix) ? SCENARIOS[prefix] : SCENARIOS.OK;
}

export const UNAVAILABLE_MESSAGE: Record<'SBP' | 'DOLYAME', string> = {
  SBP: 'Оплата через СБП недоступна для клиента',
  DOLYAME: 'Недоступно по причине низкого кредитного рейтинга: score < 0.2',
};
