/** `npm run build`: bundles the worker into dist/ exactly as `wrangler deploy` would, and prints its size. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeBundle, kib, measureBundle } from './lib/bundle-size.ts';

const OUT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');

const size = measureBundle(OUT_DIR);
console.log(`bundle dist/index.js: ${describeBundle(size, 12)}`);
console.log(`gzip budget ${kib(size.budgetGzipBytes)}: ${size.gzipBytes <= size.budgetGzipBytes ? 'met' : 'over'}`);
