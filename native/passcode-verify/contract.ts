// Bridge contract for Koshelek's proprietary "Passcode Verify" TOTP module (reference §6.1, §6.4).
// The library ships as AAR/JAR/DLL/SO; it is not public, so this file fixes what Paydesk expects from
// whatever adapter wraps it. Three adapter forms are accepted (selected by totp.vendorLibraryPath):
//
//  1. JS module (.js/.mjs/.cjs) exporting VendorPasscodeLibrary (or `createPasscodeVerify()` returning one),
//     e.g. a koffi/ffi wrapper written on site around the DLL/SO.
//  2. N-API addon (.node) exporting the same three functions, built against the C ABI below.
//  3. Sidecar executable (anything else, e.g. `java` with vendorArgs ['-jar','pv-host.jar']) speaking
//     line-delimited JSON on stdin/stdout: request {"id":n,"op":"init"|"barcodeVerify"|"getToken",
//     "params"?:{…},"fullBarcode"?:"…"} → response {"id":n,"ok":true,"result":…} or {"id":n,"ok":false,"error":"…"}.
//
// Expected C ABI of the native library (as the adapter sees it; real signatures are a GAP in the docs):
//
//   int32_t pv_init(const char *params_json);                       // 0 = ok; params agreed with Koshelek
//   int32_t pv_barcode_verify(const char *full_barcode,             // NUL-terminated, GS (0x1D) kept
//                             char *out_json, size_t out_len);      // writes VendorVerifyResult as UTF-8 JSON
//   int32_t pv_get_token(char *out, size_t out_len);                // writes the `token` header value
//   const char *pv_last_error(void);                                // message for a non-zero return
//
// Return 0 on success; a negative value with pv_last_error() otherwise. All strings UTF-8. Thread
// safety is not assumed: Paydesk calls the library from one thread, one call at a time.
import { z } from 'zod';

/** The answer of barcodeVerify(fullBarcode) (§6.4 step 4: resultCode, totpCodeValid, card number, cardSession…). */
export const vendorVerifyResultSchema = z.object({
  /** Known: CARDSESSION_AVAILABLE. Ours for the rest: CARDSESSION_NOT_AVAILABLE, TOTP_INVALID, TOTP_EXPIRED, PREFIX_UNKNOWN, BARCODE_INVALID. */
  resultCode: z.string().min(1),
  totpCodeValid: z.boolean(),
  prefix: z.string().optional(),
  cardNumber: z.string().optional(),
  cardSession: z.string().nullable().optional(),
  totp: z.string().optional(),
  message: z.string().optional(),
}).loose();
export type VendorVerifyResult = z.infer<typeof vendorVerifyResultSchema>;

export type VendorInitParams = Record<string, string | number | boolean>;

/** What an adapter exposes to JS. Any method may be sync or async. */
export interface VendorPasscodeLibrary {
  init(params: VendorInitParams): void | number | Promise<void | number>;
  /** Returns the result object or its JSON text. */
  barcodeVerify(fullBarcode: string): VendorVerifyResult | string | Promise<VendorVerifyResult | string>;
  getToken(): string | Promise<string>;
  close?(): void | Promise<void>;
}

export const sidecarResponseSchema = z.discriminatedUnion('ok', [
  z.object({ id: z.number().int(), ok: z.literal(true), result: z.unknown() }),
  z.object({ id: z.number().int(), ok: z.literal(false), error: z.string() }),
]);
