// Source-tree entry of the decode worker (tests, `npm run paydesk`): a worker thread does not inherit
// the parent's tsx loader on Node 20, so it registers tsx itself, then loads the TypeScript worker.
// Built shells use the bundled dist/main/scan-worker.mjs instead (scripts/build.mjs).
import { register } from 'tsx/esm/api';

register();
await import('./image-worker.ts');
