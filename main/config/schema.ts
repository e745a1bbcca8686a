// The one schema of paydesk.config.json: the single source of its TypeScript types and of the
// messages IT sees for a bad edit. Each capability owns its section (see the imports).
import { z } from 'zod';
import { koshelekConfigSchema } from '../payapi/koshelek/config';
import { terminalConfigSchema } from '../payapi/terminal/config';
import { tochkaConfigSchema } from '../payapi/tochka/config';
import { halykConfigSchema } from '../payapi/halyk/config';
import { webhookConfigSchema } from '../webhooks/listener';
import { extpayConfigSchema, EXTPAY_SECRET_PATHS } from '../payapi/extpay/config';
import { partnerConfigSchema } from '../payapi/partner/config';
import { findProvider } from '../providers/registry';
import { totpConfigSchema } from '../totp/config';
import { scannerConfigSchema } from '../scanner/config';
import { shiftConfigSchema } from '../shifts/config';
import { printerConfigSchema } from '../printing/config';
import { catalogueConfigSchema } from '../catalogue/config';
import { FISCAL_SECRET_PATHS, fiscalConfigSchema } from '../fiscal/config';
import { accessConfigSchema } from '../access/config';
import { yandexConfigSchema } from '../auth/yandex/config';
import { balancesConfigSchema } from '../balances/ledger';
import { customerDisplayConfigSchema } from '../display/config';

export const tillConfigSchema = z.object({
  /** Merchant-assigned till id, unique within a store (sent as terminalId). */
  terminalId: z.string().min(1).max(256).default('POS-01'),
  /** Koshelek-assigned store id (sent as storeId). */
  storeId: z.string().min(1).default('emulator-store-1'),
  storeName: z.string().default('Магазин'),
  language: z.enum(['ru', 'en']).default('ru'),
});

export const configSchema = z.object({
  $schema: z.string().optional(),
  till: tillConfigSchema.prefault({}),
  /** The payment providers the till offers, in the order the sale screen lists their methods (docs/providers.md). */
  providers: z.array(z.string().refine((name) => findProvider(name) !== null, 'not a known provider (main/providers/registry.ts)'))
    .min(1).max(8).refine((names) => new Set(names).size === names.length, 'a provider is listed twice')
    .default(['koshelek', 'terminal']),
  koshelek: koshelekConfigSchema.prefault({}),
  terminal: terminalConfigSchema.prefault({}),
  /** Bank acquiring, Russia (docs/banks.md): its own account, token and health. */
  tochka: tochkaConfigSchema.prefault({}),
  /** Bank acquiring, Kazakhstan (KZT): its own account, credentials and health. */
  halyk: halykConfigSchema.prefault({}),
  /** The shared webhook listener (off by default): Tochka's payment pushes (docs/banks.md, "Webhooks"). */
  webhooks: webhookConfigSchema,
  /** External payments API (Yandex Pay / PayPal by QR): docs/extpay.md. */
  extpay: extpayConfigSchema.prefault({}),
  /** Signed partner payments: sale, extra charge, reversal (docs/partner.md). */
  partner: partnerConfigSchema.prefault({}),
  totp: totpConfigSchema.prefault({}),
  scanner: scannerConfigSchema.prefault({}),
  shift: shiftConfigSchema.prefault({}),
  printer: printerConfigSchema.prefault({}),
  catalogue: catalogueConfigSchema.prefault({}),
  /** Who issues the fiscal receipt of a sale, and the connector's settings (docs/fiscal.md). */
  fiscal: fiscalConfigSchema.prefault({}),
  /** Sign-in, auto-lock (docs/people-and-audit.md). */
  access: accessConfigSchema.prefault({}),
  /** Yandex ID sign-in for the roles the matrix marks requiresYandex. */
  yandexId: yandexConfigSchema.prefault({}),
  /** Customer balances (per store, off by default). */
  balances: balancesConfigSchema.prefault({}),
  /** A second screen facing the customer: total, payment QR, result (docs/ui.md "Customer display"). */
  customerDisplay: customerDisplayConfigSchema.prefault({}),
  logging: z.object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info') }).prefault({}),
});

export type PaydeskConfig = z.infer<typeof configSchema>;
export type PaydeskConfigInput = z.input<typeof configSchema>;

/** Paths of values that must never reach the renderer or a log line. */
export const SECRET_PATHS = ['koshelek.password', 'koshelek.postback.partnerPassword', 'totp.cards.*.keyHex', 'tochka.token', 'halyk.clientSecret', 'yandexId.clientSecret', ...EXTPAY_SECRET_PATHS, ...FISCAL_SECRET_PATHS] as const;
