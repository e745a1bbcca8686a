// Messages between the UI thread and the frame decode worker (frame.worker.ts). One zod schema per
// direction; the worker validates every request (a frame is RGBA pixels, capped in size so a bad
// message cannot make it allocate or read without bound), the UI validates every reply.
import { z } from 'zod';
import { symbologySchema } from '../../main/contract/scan';

/** The reader's .wasm, served by the shell next to the worker's bundle (copied there by scripts/build.mjs). */
export const ZXING_WASM_FILE = 'zxing_reader.wasm';

/** Largest frame side: stills are drawn at ≤ 2048 px, camera frames at ≤ 960 px wide. */
export const FRAME_MAX_SIDE = 2048;
/** Largest frame: 4 Mpx (16 MiB of RGBA). */
export const FRAME_MAX_PIXELS = 4 * 1024 * 1024;

const idSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const frameRequestSchema = z.object({
  id: idSchema,
  width: z.number().int().min(1).max(FRAME_MAX_SIDE),
  height: z.number().int().min(1).max(FRAME_MAX_SIDE),
  data: z.instanceof(Uint8ClampedArray),
}).strict().superRefine((r, ctx) => {
  if (r.width * r.height > FRAME_MAX_PIXELS) {
    ctx.addIssue({ code: 'custom', path: ['width'], message: `frame too large: ${r.width}×${r.height} px (at most ${FRAME_MAX_PIXELS} px)` });
  } else if (r.data.length !== r.width * r.height * 4) {
    ctx.addIssue({ code: 'custom', path: ['data'], message: `frame ${r.width}×${r.height} needs ${r.width * r.height * 4} RGBA bytes, got ${r.data.length}` });
  }
});
export type FrameRequest = z.infer<typeof frameRequestSchema>;

export const frameReplySchema = z.discriminatedUnion('ok', [
  // a scanned card is at most a few hundred characters; 4096 bounds what a hostile frame could push on
  z.object({ id: idSchema, ok: z.literal(true), text: z.string().min(1).max(4096), symbology: symbologySchema }).strict(),
  // found nothing (detail 'none'), or the request was refused / the decoder failed (detail says why)
  z.object({ id: idSchema, ok: z.literal(false), detail: z.string().max(500) }).strict(),
]);
export type FrameReply = z.infer<typeof frameReplySchema>;

/** The worker's answer to one message: validated, decoded, never throws. */
export async function answerFrameMessage(
  message: unknown,
  decode: (frame: { data: Uint8ClampedArray; width: number; height: number }) => Promise<{ text: string; symbology: z.infer<typeof symbologySchema> } | null>,
): Promise<FrameReply> {
  const parsed = frameRequestSchema.safeParse(message);
  const id = typeof message === 'object' && message !== null && 'id' in message && idSchema.safeParse((message as { id: unknown }).id).success
    ? (message as { id: number }).id : 0;
  if (!parsed.success) return { id, ok: false, detail: `bad frame: ${parsed.error.issues.map((i) => i.message).join('; ')}`.slice(0, 500) };
  try {
    const found = await decode(parsed.data);
    if (!found) return { id, ok: false, detail: 'none' };
    const reply = frameReplySchema.safeParse({ id, ok: true, text: found.text, symbology: found.symbology });
    return reply.success ? reply.data : { id, ok: false, detail: 'decoded text out of bounds' };
  } catch (error) {
    return { id, ok: false, detail: `decoder failed: ${error instanceof Error ? error.message : String(error)}`.slice(0, 500) };
  }
}
