// Structured, asynchronous logging (pino): never on the payment hot path's critical section, and
// secrets are redacted by path so credentials, tokens and TOTP keys never reach a log line.
import fs from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';

export type { Logger };

export const REDACT_PATHS = [
  'password', '*.password', '*.*.password', 'partnerPassword', '*.partnerPassword', '*.*.partnerPassword',
  'authorization', 'Authorization', '*.authorization', '*.Authorization', 'headers.authorization', 'headers.token',
  'token', '*.token', 'webhookToken', '*.webhookToken', '*.*.webhookToken', 'auth_token', '*.auth_token', 'keyHex', '*.keyHex', '*.*.keyHex', 'cards[*].keyHex', '*.cards[*].keyHex', '*.*.cards[*].keyHex',
];

export interface LoggerOptions {
  level?: string;
  /** Log file; omitted → stderr. */
  file?: string;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.PAYDESK_LOG_LEVEL ?? 'info';
  const redact = { paths: REDACT_PATHS, censor: '[redacted]' };
  if (options.file) {
    fs.mkdirSync(path.dirname(options.file), { recursive: true });
    // Opened here, not by sonic-boom: its own open is asynchronous, and a process that exits before it
    // completes (a SIGTERM right after start) died in pino's exit flush with "sonic boom is not ready yet".
    // Owner-only, like the rest of the data folder.
    const fd = fs.openSync(options.file, 'a', 0o600);
    const destination = pino.destination({ fd, sync: false });
    return pino({ level, redact, base: { app: 'paydesk' } }, destination);
  }
  return pino({ level, redact, base: { app: 'paydesk' } }, pino.destination({ dest: 2, sync: false }));
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
