/**
 * Bundle bench: the worker bundle as `wrangler deploy` would upload it (scripts/lib/bundle-size.ts,
 * shared with `npm run build`), its gzip size against the budget and its largest parts. No stack,
 * no load: a few seconds. CLI: `npx tsx bench/bundle.ts [--json]`.
 */
import { type BundleSize, describeBundle, kib, measureBundle } from '../scripts/lib/bundle-size.ts';
import { type Bench, type Ratio, runAsScript } from './common.ts';

export interface BundleBenchResult extends BundleSize {
  bench: 'bundle';
}

export async function runBundleBench(): Promise<BundleBenchResult> {
  return { bench: 'bundle', ...measureBundle() };
}

export function bundleNotes(result: BundleBenchResult): string[] {
  return [`bundle: ${describeBundle(result)}`];
}

export function bundleRatios(result: BundleBenchResult): Ratio[] {
  const name = `gzip ${kib(result.gzipBytes)} / budget ${kib(result.budgetGzipBytes)}`;
  return [{ bench: 'bundle', name, value: result.gzipBytes / result.budgetGzipBytes, target: { atMost: 1 } }];
}

export const bundleBench: Bench<BundleBenchResult> = { run: runBundleBench, rows: () => [], notes: bundleNotes, ratios: bundleRatios };

runAsScript(import.meta.url, bundleBench);
