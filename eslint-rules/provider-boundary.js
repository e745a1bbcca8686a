// Lint rule: provider-neutral layers import no provider folder (main/payapi/**) and no emulator
// (emulators/**); only the composition root (main/core/) composes providers. Catches static imports,
// type imports, re-exports, dynamic import() and require() with a literal path.
// No allow-list: the checkout's last breaches were paid off when it became provider-neutral.
import path from 'node:path';

const FORBIDDEN = [
  { prefix: 'main/payapi/', what: 'a provider folder' },
  { prefix: 'emulators/', what: 'an emulator' },
];

function toPosix(p) {
  return p.split(path.sep).join('/');
}

/** @type {import('eslint').Rule.RuleModule} */
export const providerBoundary = {
  meta: {
    type: 'problem',
    docs: { description: 'Provider-neutral layers import no provider folder and no emulator (docs/providers.md).' },
    schema: [],
    messages: {
      forbidden: "'{{source}}' is {{what}}: {{layer}} is provider-neutral. Only the composition root (main/core/) may import providers; reach them through main/providers (docs/providers.md).",
    },
  },
  create(context) {
    const cwd = context.cwd;
    const file = toPosix(path.relative(cwd, context.filename));
    const layer = file.split('/').slice(0, file.startsWith('main/') ? 2 : 1).join('/');

    function check(node, source) {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = toPosix(path.relative(cwd, path.resolve(path.dirname(context.filename), source)));
      const hit = FORBIDDEN.find((f) => target === f.prefix.slice(0, -1) || target.startsWith(f.prefix));
      if (!hit) return;
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
    };
  },
};
