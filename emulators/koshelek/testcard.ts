// Test loyalty-card barcodes for the emulator (layout shared with the scanning team):
//   'KP' (prefix, 2) + card number (13 digits: '2000000' + 6 random) + cardSession (6: scenario 2 + 4 random
//   uppercase alphanumerics) + TOTP (3 digits).
// TOTP: plain RFC 6238 over the issuer key only (the card number is not mixed in): HMAC-SHA256, 3 digits,
// 30 s period, secret = bytes of the hex key below (same default as main/totp/config.ts).
import { randomInt } from 'node:crypto';
import * as OTPAuth from 'otpauth';

export const TEST_CARD_PREFIX = 'KP';
export const TEST_CARD_KEY_HEX = '4b6f7368656c656b5465737443617264';
export const TEST_CARD_TOTP = { algorithm: 'SHA256', digits: 3, period: 30 } as const;

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function randomChars(n: number, alphabet = ALNUM): string {
  let out = '';
  for (let i = 0; i < n; i += 1) out += alphabet[randomInt(alphabet.length)];
  return out;
}

const totps = new Map<string, OTPAuth.TOTP>();
/** TOTP of the test card issuer at `now` (ms); `keyHex` signs with a till's own key instead of the public one. */
export function testCardTotp(now: number = Date.now(), keyHex: string = TEST_CARD_KEY_HEX): string {
  let totp = totps.get(keyHex);
  if (!totp) {
    totp = new OTPAuth.TOTP({ algorithm: TEST_CARD_TOTP.algorithm, digits: TEST_CARD_TOTP.digits, period: TEST_CARD_TOTP.period, secret: OTPAuth.Secret.fromHex(keyHex) });
    totps.set(keyHex, totp);
  }
  return totp.generate({ timestamp: now });
}

export interface TestCard {
  barcode: string;
  prefix: string;
  cardNumber: string;
  cardSession: string;
  totp: string;
  scenario: string;
}

/** A fresh test card for `scenario` (2 characters, A-Z/0-9; default 'OK'), valid at `now`. */
export function makeTestCard(scenario = 'OK', now: number = Date.now(), keyHex: string = TEST_CARD_KEY_HEX): TestCard {
  const sc = scenario.toUpperCase();
  if (!/^[A-Z0-9]{2}$/.test(sc)) throw new Error(`scenario must be 2 characters A-Z/0-9, got ${JSON.stringify(scenario)}`);
  const cardNumber = `2000000${randomChars(6, '0123456789')}`;
  const cardSession = `${sc}${randomChars(4)}`;
  const code = testCardTotp(now, keyHex);
  return { barcode: `${TEST_CARD_PREFIX}${cardNumber}${cardSession}${code}`, prefix: TEST_CARD_PREFIX, cardNumber, cardSession, totp: code, scenario: sc };
}

export function testCardBarcode(scenario = 'OK', now: number = Date.now(), keyHex: string = TEST_CARD_KEY_HEX): string {
  return makeTestCard(scenario, now, keyHex).barcode;
}
