// The `yandexId` section of paydesk.config.json: Yandex ID sign-in for the roles the matrix marks
// `requiresYandex`. Off by default. Wiring this section into main/config/schema.ts belongs to the
// core integration (docs/people-and-audit.md). The client secret never reaches the renderer or logs.
import { z } from 'zod';

const isLoopback = (url: string): boolean => /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/.test(url);

export const yandexConfigSchema = z.object({
  enabled: z.boolean().default(false),
  clientId: z.string().default(''),
  clientSecret: z.string().default(''),
  oauthUrl: z.string().url().default('https://oauth.yandex.ru'),
  loginUrl: z.string().url().default('https://login.yandex.ru'),
  /** Shown to the person on the confirmation page. */
  deviceName: z.string().min(1).max(100).default('Paydesk'),
  timeoutMs: z.number().int().min(1_000).max(60_000).default(10_000),
  /** Consecutive network failures while polling before the till offers the offline fallback. */
  maxNetworkFailures: z.number().int().min(1).max(20).default(3),
}).superRefine((c, ctx) => {
  if (!c.enabled) return;
  if (c.clientId === '') ctx.addIssue({ code: 'custom', path: ['clientId'], message: 'Yandex ID: clientId is required' });
  if (c.clientSecret === '') ctx.addIssue({ code: 'custom', path: ['clientSecret'], message: 'Yandex ID: clientSecret is required' });
  for (const key of ['oauthUrl', 'loginUrl'] as const) {
    // Plain HTTP only to a loopback emulator: a token must never cross a network in clear.
    if (!c[key].startsWith('https://') && !isLoopback(c[key])) ctx.addIssue({ code: 'custom', path: [key], message: 'must be https:// (http only for a loopback emulator)' });
  }
});
export type YandexConfig = z.infer<typeof yandexConfigSchema>;
