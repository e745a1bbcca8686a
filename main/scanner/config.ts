// Scanner section of paydesk.config.json. Owned by the scanning capability.
import { z } from 'zod';

export const scannerConfigSchema = z.object({
  serial: z.object({
    enabled: z.boolean().default(false),
    path: z.string().default(''),
    baudRate: z.number().int().default(9600),
    dataBits: z.union([z.literal(5), z.literal(6), z.literal(7), z.literal(8)]).default(8),
    parity: z.enum(['none', 'even', 'odd', 'mark', 'space']).default('none'),
    stopBits: z.union([z.literal(1), z.literal(1.5), z.literal(2)]).default(1),
    suffix: z.enum(['CR', 'LF', 'CRLF', 'none']).default('CR'),
    idleTimeoutMs: z.number().int().min(5).max(2000).default(50),
    reconnectMs: z.number().int().min(100).max(60_000).default(1_000),
  }).prefault({}),
  wedge: z.object({
    enabled: z.boolean().default(true),
    maxInterKeyMs: z.number().int().min(5).max(500).default(50),
    minLength: z.number().int().min(1).max(64).default(6),
    terminator: z.enum(['Enter', 'Tab', 'none']).default('Enter'),
  }).prefault({}),
});
export type ScannerConfig = z.infer<typeof scannerConfigSchema>;
