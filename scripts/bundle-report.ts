/**
 * `npm run bundle:report [-- --top N]`: builds the deploy bundle (`wrangler deploy --dry-run`) and prints what
 * its gzip size is made of, per package and per module (scripts/lib/bundle-report.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { formatBundleReport, reportBundle } from './lib/bundle-report.ts';
import { wranglerBundle } from './lib/worker.ts';

const { values } = parseArgs({ options: { top: { type: 'string', default: '40' } } });
const top = Number(values.top);
if (!Number.isInteger(top) || top < 1) throw new Error(`--top must be a positive integer, not "${values.top}"`);

const dir = mkdtempSync(path.join(os.tmpdir(), 'sc-bundle-report-'));
try {
  wranglerBundle(dir, ['--metafile', path.join(dir, 'bundle-meta.json')]);
  console.log(formatBundleReport(reportBundle(dir, top)));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
