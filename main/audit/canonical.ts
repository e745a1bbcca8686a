// Canonical JSON for hashing (RFC 8785 / JCS, restricted to the values audit entries carry): object keys
// sorted by UTF-16 code units, no whitespace, strings escaped as ECMAScript JSON.stringify does (which is
// what JCS prescribes). Numbers must be safe integers: money is integer minor units and times are ISO
// strings, so the float formatting rules of JCS never arise, and refusing floats keeps bytes stable
// across platforms and library versions (docs/people-and-audit.md).

export type CanonicalValue = null | boolean | number | string | CanonicalValue[] | { [key: string]: CanonicalValue };

export class CanonicalJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CanonicalJsonError';
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function canonicalize(value: unknown): string {
  return write(value, '$');
}

function write(value: unknown, at: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isSafeInteger(value)) throw new CanonicalJsonError(`${at}: only safe integers are allowed, got ${String(value)}`);
      // -0 serialises as 0 in both JSON.stringify and JCS.
      return JSON.stringify(value);
    case 'string':
      if (LONE_SURROGATE.test(value)) throw new CanonicalJsonError(`${at}: string has a lone surrogate`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v, i) => write(v, `${at}[${i}]`)).join(',')}]`;
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw new CanonicalJsonError(`${at}: only plain objects are allowed`);
      const record = value as Record<string, unknown>;
      // Default sort compares UTF-16 code units, exactly the JCS ordering.
      const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${write(record[k], `${at}.${k}`)}`).join(',')}}`;
    }
    default:
      throw new CanonicalJsonError(`${at}: ${typeof value} cannot be canonicalised`);
  }
}
