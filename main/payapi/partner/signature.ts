// The one ECDSA P-521 / SHA-512 signature codec of the partner API (docs/partner-api.yaml, "Signing").
// On the wire a signature is the raw IEEE P1363 form r‖s: exactly 132 bytes (66 + 66, each left-padded
// with zeros), base64url without padding (176 characters). OpenSSL, Java and Node's default produce DER
// (SEQUENCE of two INTEGERs, variable length up to 139 bytes); `derToRaw`/`rawToDer` convert strictly,
// and every refusal names its reason, because "invalid signature" alone is the hardest bug to diagnose.
import crypto from 'node:crypto';

/** Bytes of one scalar (r or s) for P-521: ceil(521 / 8). */
export const P521_SCALAR_BYTES = 66;
/** The raw r‖s signature length for P-521. */
export const P521_RAW_BYTES = 2 * P521_SCALAR_BYTES;
export const SIGNATURE_HASH = 'sha512';

export type SignatureFault =
  | 'not_base64url'
  | 'raw_bad_length'
  | 'looks_like_der'
  | 'der_malformed'
  | 'der_non_minimal'
  | 'der_out_of_range'
  | 'zero_scalar'
  | 'wrong_curve'
  | 'mismatch';

export class SignatureError extends Error {
  constructor(readonly fault: SignatureFault, message: string) {
    super(`${fault}: ${message}`);
    this.name = 'SignatureError';
  }
}

const B64URL = /^[A-Za-z0-9_-]*$/;

export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/** Strict base64url (no padding, no '+', '/', whitespace). */
export function fromBase64Url(text: string): Buffer {
  if (!B64URL.test(text) || text.length % 4 === 1) throw new SignatureError('not_base64url', 'the signature is not unpadded base64url');
  return Buffer.from(text, 'base64url');
}

function isZero(bytes: Uint8Array): boolean {
  return bytes.every((b) => b === 0);
}

/** Strips the minimal-INTEGER encoding of one DER scalar and left-pads it to 66 bytes. */
function scalarFromDer(value: Buffer): Buffer {
  if (value.length === 0) throw new SignatureError('der_malformed', 'empty INTEGER');
  if ((value[0] ?? 0) & 0x80) throw new SignatureError('der_malformed', 'negative INTEGER');
  if (value.length > 1 && value[0] === 0 && !((value[1] ?? 0) & 0x80)) throw new SignatureError('der_non_minimal', 'INTEGER has a superfluous leading zero');
  const stripped = value[0] === 0 ? value.subarray(1) : value;
  if (stripped.length > P521_SCALAR_BYTES) throw new SignatureError('der_out_of_range', `scalar of ${stripped.length} bytes exceeds ${P521_SCALAR_BYTES}`);
  if (isZero(stripped)) throw new SignatureError('zero_scalar', 'r or s is zero');
  const out = Buffer.alloc(P521_SCALAR_BYTES);
  stripped.copy(out, P521_SCALAR_BYTES - stripped.length);
  return out;
}

function readLength(der: Buffer, at: number): { length: number; next: number } {
  const first = der[at];
  if (first === undefined) throw new SignatureError('der_malformed', 'truncated length');
  if (first < 0x80) return { length: first, next: at + 1 };
  if (first !== 0x81) throw new SignatureError('der_malformed', 'length form not allowed for a P-521 signature');
  const second = der[at + 1];
  if (second === undefined) throw new SignatureError('der_malformed', 'truncated length');
  if (second < 0x80) throw new SignatureError('der_non_minimal', 'long-form length used for a short length');
  return { length: second, next: at + 2 };
}

/** DER `SEQUENCE { INTEGER r, INTEGER s }` → raw r‖s (132 bytes). Refuses anything but exact minimal DER. */
export function derToRaw(der: Uint8Array): Buffer {
  const buf = Buffer.from(der);
  if (buf[0] !== 0x30) throw new SignatureError('der_malformed', 'not a DER SEQUENCE');
  const seq = readLength(buf, 1);
  if (seq.next + seq.length !== buf.length) throw new SignatureError('der_malformed', 'SEQUENCE length does not match the data');
  let at = seq.next;
  const scalars: Buffer[] = [];
  for (let i = 0; i < 2; i += 1) {
    if (buf[at] !== 0x02) throw new SignatureError('der_malformed', 'expected INTEGER');
    const len = readLength(buf, at + 1);
    const end = len.next + len.length;
    if (end > buf.length) throw new SignatureError('der_malformed', 'INTEGER runs past the end');
    scalars.push(scalarFromDer(buf.subarray(len.next, end)));
    at = end;
  }
  if (at !== buf.length) throw new SignatureError('der_malformed', 'trailing bytes after s');
  return Buffer.concat(scalars);
}

function derInteger(scalar: Buffer): Buffer {
  let i = 0;
  while (i < scalar.length - 1 && scalar[i] === 0) i += 1;
  let body = scalar.subarray(i);
  if ((body[0] ?? 0) & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
  return Buffer.concat([Buffer.from([0x02]), derLength(body.length), body]);
}

function derLength(n: number): Buffer {
  return n < 0x80 ? Buffer.from([n]) : Buffer.from([0x81, n]);
}

/** Raw r‖s (exactly 132 bytes) → minimal DER. */
export function rawToDer(raw: Uint8Array): Buffer {
  const buf = checkRaw(raw);
  const r = buf.subarray(0, P521_SCALAR_BYTES);
  const s = buf.subarray(P521_SCALAR_BYTES);
  const body = Buffer.concat([derInteger(r), derInteger(s)]);
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}

function isDer(buf: Buffer): boolean {
  try {
    derToRaw(buf);
    return true;
  } catch {
    return false;
  }
}

function checkRaw(raw: Uint8Array): Buffer {
  const buf = Buffer.from(raw);
  if (buf.length !== P521_RAW_BYTES) {
    // The classic mix-up: a DER signature sent where raw is required.
    if (buf[0] === 0x30 && buf.length >= 8 && buf.length <= 139) {
      if (isDer(buf)) throw new SignatureError('looks_like_der', `got a ${buf.length}-byte DER signature; the contract requires raw r‖s of ${P521_RAW_BYTES} bytes`);
    }
    throw new SignatureError('raw_bad_length', `raw signature is ${buf.length} bytes, expected ${P521_RAW_BYTES}`);
  }
  if (isZero(buf.subarray(0, P521_SCALAR_BYTES)) || isZero(buf.subarray(P521_SCALAR_BYTES))) throw new SignatureError('zero_scalar', 'r or s is zero');
  return buf;
}

function assertP521(key: crypto.KeyObject): void {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'secp521r1') {
    throw new SignatureError('wrong_curve', `key is ${key.asymmetricKeyType ?? '?'} ${key.asymmetricKeyDetails?.namedCurve ?? ''}, expected EC P-521`);
  }
}

/** Signs `data` with ECDSA P-521 / SHA-512; returns raw r‖s (132 bytes). */
export function signRaw(data: Uint8Array, privateKey: crypto.KeyObject): Buffer {
  assertP521(privateKey);
  return crypto.sign(SIGNATURE_HASH, data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
}

/** The wire form: base64url(raw r‖s). */
export function signForWire(data: Uint8Array, privateKey: crypto.KeyObject): string {
  return toBase64Url(signRaw(data, privateKey));
}

/** Verifies a raw r‖s signature; throws SignatureError with the precise fault, returns on success. */
export function verifyRaw(data: Uint8Array, raw: Uint8Array, publicKey: crypto.KeyObject): void {
  assertP521(publicKey);
  const sig = checkRaw(raw);
  const ok = crypto.verify(SIGNATURE_HASH, data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, sig);
  if (!ok) throw new SignatureError('mismatch', 'the signature does not match the data and key');
}

/** Verifies the wire form (base64url raw). */
export function verifyWire(data: Uint8Array, signature: string, publicKey: crypto.KeyObject): void {
  verifyRaw(data, fromBase64Url(signature), publicKey);
}
