// docs/partner-api.yaml and the code must say the same thing: paths, headers, error codes, numbers.
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { CANONICAL_PREFIX, DEFAULT_SKEW_SECONDS, HEADERS } from './canonical';
import { PARTNER_ERROR_CODES, PARTNER_PATHS } from './contract';
import { P521_RAW_BYTES, P521_SCALAR_BYTES } from './signature';

const spec = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'partner-api.yaml'), 'utf8');

it('the spec names every path, header and error code the code uses, with the same numbers', () => {
  for (const p of Object.values(PARTNER_PATHS)) expect(spec).toContain(`${p}:`);
  for (const h of Object.values(HEADERS)) expect(spec.toLowerCase()).toContain(h);
  for (const c of PARTNER_ERROR_CODES) expect(spec).toContain(c);
  expect(spec).toContain(CANONICAL_PREFIX);
  expect(spec).toContain(`**${P521_RAW_BYTES} bytes**`);
  expect(spec).toContain(`**${P521_SCALAR_BYTES} bytes**`);
  expect(spec).toContain(`**${DEFAULT_SKEW_SECONDS} s**`);
  expect(spec).toContain(`**${2 * DEFAULT_SKEW_SECONDS} s**`);
});
