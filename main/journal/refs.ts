// A slip's provider ids (slips.refs_json, report_operations.slip_refs_json): one JSON object of
// strings, whatever the provider, so the journal needs no column per provider id. Keys are the
// provider's own names; a missing id is an absent key, never null. docs/journal-neutral.md.
import { z } from 'zod';

export const slipRefsSchema = z.record(z.string().min(1), z.string());
export type SlipRefs = z.infer<typeof slipRefsSchema>;

/** The refs_json text of a provider's ids; null and undefined values are left out. */
export function encodeSlipRefs(refs: Readonly<Record<string, string | null | undefined>>): string {
  const kept = Object.fromEntries(Object.entries(refs).filter((e): e is [string, string] => e[1] !== null && e[1] !== undefined));
  return JSON.stringify(checked(kept));
}

export class SlipRefsError extends Error {
  constructor(detail: string) {
    super(`slip refs_json is not a JSON object of strings: ${detail}`);
    this.name = 'SlipRefsError';
  }
}

/** The ids stored in a refs_json (null: no slip, read as no ids). Anything but an object of strings is refused. */
export function decodeSlipRefs(text: string | null): SlipRefs {
  if (text === null) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SlipRefsError(error instanceof Error ? error.message : String(error));
  }
  return checked(value);
}

// zod's record quietly drops a "__proto__" key; refused here instead, so no id is ever lost unseen.
function checked(value: unknown): SlipRefs {
  if (value !== null && typeof value === 'object' && Object.hasOwn(value, '__proto__')) throw new SlipRefsError('__proto__: not allowed as a key');
  const parsed = slipRefsSchema.safeParse(value);
  if (!parsed.success) throw new SlipRefsError(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  return parsed.data;
}
