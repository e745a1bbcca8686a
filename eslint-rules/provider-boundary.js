// Lint rule: provider-neutral layers import no provider folder (main/payapi/**) and no emulator
// (emulators/**); only the composition root (main/core/) composes providers. Catches static imports,
// type imports, re-exports, dynamic import() and require() with a literal path.
// Option `knownViolations`: exact files allowed to break the rule today, each a debt to remove; an
// entry that no longer violates is reported (as a warning) so the list only shrinks.
import path from 'node:path';

const FORBIDDEN = [
  { prefix: 'main/payapi/', what: 'a provider folder' },
  { prefix: 'emulators/', what: 'an emulator' },
];

function toPosix(p) {
  return p.split(path.sep).join('/');
}

/**
 * @param {'forbidden' | 'stale'} mode forbidden: report breaches (an error); stale: report allow-list
 *   entries that no longer breach (a warning, so a parallel clean-up never blocks a merge).
 * @returns {import('eslint').Rule.RuleModule}
 */
function makeRule(mode) {
  return {
  meta: {
    type: 'problem',
    docs: { description: 'Provider-neutral layers import no provider folder and no emulator (docs/providers.md).' },
    schema: [{ type: 'object', properties: { knownViolations: { type: 'array', items: { type: 'string' } } }, additionalProperties: false }],
    messages: {
      forbidden: "'{{source}}' is {{what}}: {{layer}} is provider-neutral. Only the composition root (main/core/) may import providers; reach them through main/providers (docs/providers.md).",
      stale: '{{file}} no longer imports a provider: remove it from the known-violations allow-list in eslint.config.js.',
    },
  },
  create(context) {
    const cwd = context.cwd;
    const file = toPosix(path.relative(cwd, context.filename));
    const layer = file.split('/').slice(0, file.startsWith('main/') ? 2 : 1).join('/');
    const known = new Set((context.options[0] && context.options[0].knownViolations) || []);
    const isKnown = known.has(file);
    let violations = 0;

    function check(node, source) {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = toPosix(path.relative(cwd, path.resolve(path.dirname(context.filename), source)));
      const hit = FORBIDDEN.find((f) => target === f.prefix.slice(0, -1) || target.startsWith(f.prefix));
      if (!hit) return;
      violations += 1;
      if (isKnown || mode !== 'forbidden') return;
      context.report({ node, messageId: 'forbidden', data: { source, what: hit.what, layer } });
    }

    const literal = (n) => (n && n.type === 'Literal' && typeof n.value === 'string' ? n.value : null);
    return {
      ImportDeclaration: (node) => check(node, literal(node.source)),
      ExportNamedDeclaration: (node) => node.source && check(node, literal(node.source)),
      ExportAllDeclaration: (node) => check(node, literal(node.source)),
      ImportExpression: (node) => check(node, literal(node.source)),
      TSImportType: (node) => {
        const raw = node.source ?? node.argument;
        const arg = raw && raw.type === 'TSLiteralType' ? raw.literal : raw;
        check(node, literal(arg));
      },
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require') check(node, literal(node.arguments[0]));
      },
      'Program:exit': (node) => {
        if (mode === 'stale' && isKnown && violations === 0) context.report({ node, messageId: 'stale', data: { file } });
      },
    };
  },
  };
}

export const providerBoundary = makeRule('forbidden');
export const providerBoundaryStaleAllowList = makeRule('stale');
