// Layering is a rule the machine checks (as VS Code's code-layering and Signal's suffix rules do):
//  - the core (main/, emulators/, native/) never imports Electron, the renderer or the preload;
//    only main/shell/electron/ may import 'electron';
//  - the renderer imports only the API contract (main/contract/) and browser-safe packages;
//  - the preload imports only 'electron' and the contract;
//  - checkout, journal, reports, contract, api and the renderer import no provider folder
//    (main/payapi/**) and no emulator (emulators/**): only main/core composes providers.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { providerBoundary } from './eslint-rules/provider-boundary.js';

const nodeBuiltins = ['fs', 'path', 'os', 'child_process', 'net', 'http', 'https', 'crypto', 'worker_threads', 'better-sqlite3', 'serialport', 'kysely', 'axios', 'pino'];

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'release/**', 'node_modules/**', 'bench/results/**', 'test-output/**', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    files: ['main/**/*.ts', 'emulators/**/*.ts', 'native/**/*.ts'],
    ignores: ['main/shell/electron/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'The core runs in plain Node: only main/shell/electron/ may import electron.' }],
        patterns: [
          { group: ['**/renderer/**', '**/renderer'], message: 'The core never imports the renderer.' },
          { group: ['**/preload/**', '**/preload'], message: 'The core never imports the preload.' },
        ],
      }],
    },
  },
  {
    files: ['main/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'The contract is shared with the renderer: zod only.' }, ...nodeBuiltins.map((name) => ({ name, message: 'The contract is shared with the renderer: zod only.' }))],
        patterns: [{ group: ['../*', '!../contract/*', 'node:*'], message: 'The contract imports nothing of the core.' }],
      }],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'The renderer talks only through the typed API.' }, ...nodeBuiltins.map((name) => ({ name, message: 'The renderer has no Node access.' }))],
        patterns: [
          { group: ['**/main/**', '!**/main/contract', '!**/main/contract/**'], message: 'The renderer imports only the API contract (main/contract).' },
          { group: ['**/preload/**', 'node:*', '**/emulators/**', '**/native/**'], message: 'The renderer imports only the API contract.' },
        ],
      }],
    },
  },
  {
    files: ['main/checkout/**/*.ts', 'main/journal/**/*.ts', 'main/reports/**/*.ts', 'main/contract/**/*.ts', 'main/api/**/*.ts', 'renderer/**/*.ts', 'renderer/**/*.tsx'],
    plugins: { paydesk: { rules: { 'provider-boundary': providerBoundary } } },
    rules: { 'paydesk/provider-boundary': 'error' },
  },
  {
    files: ['preload/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/main/**', '!**/main/contract', '!**/main/contract/**', '**/renderer/**'], message: 'The preload exposes only the contract.' }],
      }],
    },
  },
);
