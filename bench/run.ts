// `npm run bench`: runs every bench/*.bench.ts (or those named on the command line) one after another,
// each in its own process so one benchmark's heap and sockets never colour another's figures.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = fs.readdirSync(here).filter((f) => f.endsWith('.bench.ts')).sort()
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)));
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file}`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, file)], { stdio: 'inherit', env: process.env });
  if (run.status !== 0) {
    failed += 1;
    console.error(`${file} failed (exit ${run.status})`);
  }
}
process.exit(failed > 0 ? 1 : 0);
