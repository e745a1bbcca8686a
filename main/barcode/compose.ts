// Builds loyalty barcodes the way the Koshelek app shows them (tests, the emulator's test cards, bench).
import type { TotpCard } from '../totp/config';
import { totpCode } from '../totp/totp';

export interface ComposeInput {
  card: TotpCard;
  cardNumber: string;
  /** Omit for a plain loyalty card. */
  cardSession?: string;
  /** Time the TOTP is for (ms since epoch); omit `atMs` and set `withTotp: false` for a card without TOTP. */
  atMs?: number;
  withTotp?: boolean;
  /** 2-D separated layout with this separator (e.g. GS) instead of fixed lengths. */
  separator?: string;
}

export function composeBarcode(input: ComposeInput): string {
  const { card, cardNumber, cardSession, separator } = input;
  const withTotp = input.withTotp ?? true;
  if (withTotp && card.keyHex === undefined) throw new Error(`card ${card.prefix} has no key: no TOTP possible`);
  const totp = withTotp && card.keyHex !== undefined ? totpCode({ ...card, keyHex: card.keyHex }, input.atMs ?? Date.now()) : '';
  if (separator !== undefined) {
    return cardSession !== undefined ? `${card.prefix}${cardNumber}${separator}${cardSession}${separator}${totp}` : `${card.prefix}${cardNumber}${separator}${totp}`;
  }
  return `${card.prefix}${cardNumber}${cardSession ?? ''}${totp}`;
}
