// Koshelek Pay API emulator: a real HTTP(S) server on loopback implementing the documented contract
// (reference: shared/reference/koshelek-pay-api.md). Test double for Paydesk and the app's embedded
// default server when no credentials are configured. Usage and choices: docs/emulator.md.
export type { EmulatorOptions, ReceivedRequest, FaultRule, KoshelekEmulator, TransactionSnapshot, EndpointKind } from './types';
export { faultRuleSchema, FAULT_KINDS, FAULT_ENDPOINTS } from './types';
export { startKoshelekEmulator, makeCert } from './server';
export { testCardBarcode, makeTestCard, testCardTotp, TEST_CARD_KEY_HEX, TEST_CARD_PREFIX, TEST_CARD_TOTP, type TestCard } from './testcard';
export { SCENARIOS, SCENARIO_CODES, scenarioFor, type Scenario, type ScenarioCode } from './scenarios';
