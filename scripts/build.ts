/** `npm run build`: bundles the worker exactly as `wrangler deploy` would, and prints its size. */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { prepareAssets } from './lib/assets.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = path.join(ROOT, 'dist');

prepareAssets();
const result = spawnSync(
  process.execPath,
  [path.join(ROOT, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', '--dry-run', '--outdir', OUT_DIR, '--minify'],
  { cwd: ROOT, stdio: 'inherit', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } },
);
if (result.status !== 0) process.exit(result.status ?? 1);

const bundle = await readFile(path.join(OUT_DIR, 'index.js'));
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
console.log(`\nbundle dist/index.js: ${kib(bundle.length)} raw, ${kib(gzipSync(bundle, { level: 9 }).length)} gzip`);
