// The renderer's CSP: WebAssembly may be compiled (the frame decode worker), JS eval may not.
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from './csp';

const directives = (csp: string): Map<string, string[]> =>
  new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name ?? '', values]));

describe('contentSecurityPolicy', () => {
  it("allows WebAssembly compilation ('wasm-unsafe-eval') but never JS eval or inline script", () => {
    const csp = directives(contentSecurityPolicy());
    expect(csp.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(contentSecurityPolicy()).not.toMatch(/'unsafe-eval'|'unsafe-inline'/);
  });

  it('workers only from the app itself, nothing by default', () => {
    const csp = directives(contentSecurityPolicy('ws://127.0.0.1:1'));
    expect(csp.get('worker-src')).toEqual(["'self'"]);
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('connect-src')).toEqual(["'self'", 'ws://127.0.0.1:1']);
  });
});
