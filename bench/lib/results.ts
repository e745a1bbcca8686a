// Shared benchmark plumbing: percentiles and bench/results/<name>.json in the one format
// (one object per variant with n, p50_ms, p99_ms, max_ms, optional rss_mb; plus date and machine).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface VariantResult {
  variant: string;
  n: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  rss_mb?: number;
  [extra: string]: number | string | undefined;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

const round = (v: number): number => Math.round(v * 1000) / 1000;

export function summarize(variant: string, samplesMs: readonly number[], extra: Record<string, number | string> = {}): VariantResult {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return {
    variant,
    n: sorted.length,
    p50_ms: round(percentile(sorted, 50)),
    p99_ms: round(percentile(sorted, 99)),
    max_ms: round(sorted[sorted.length - 1] ?? Number.NaN),
    ...extra,
  };
}

export function machine(): Record<string, string | number> {
  const cpus = os.cpus();
  return { hostname: os.hostname(), platform: `${os.platform()} ${os.release()}`, cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, memory_gb: Math.round(os.totalmem() / 2 ** 30), node: process.version };
}

export const RESULTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'results');

export function writeResults(name: string, variants: VariantResult[], notes: Record<string, unknown> = {}): string {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.json`);
  const body = { name, date: new Date().toISOString(), machine: machine(), variants, ...notes };
  fs.writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
  console.log(`\n${name}`);
  console.table(variants);
  console.log(`→ ${path.relative(process.cwd(), file)}`);
  return file;
}

export function rssMb(): number {
  return Math.round((process.memoryUsage().rss / 2 ** 20) * 10) / 10;
}
