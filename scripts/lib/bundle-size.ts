/**
 * The worker bundle's weight: what `wrangler deploy` would upload (wrangler.toml minifies), its
 * gzip size against the budget, and what it is made of (esbuild's metafile). `npm run build`
 * prints it; `npm run bench` puts it in its summary.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { wranglerBundle } from './worker.ts';

/** The bundle's gzip size may not exceed this (issue 7: 150 KB, read as KiB). */
export const BUNDLE_GZIP_BUDGET_BYTES = 150 * 1024;

export interface BundleSize {
  rawBytes: number;
  /** gzip level 9 of the bundle, as it is uploaded compressed. */
  gzipBytes: number;
  budgetGzipBytes: number;
  /** Minified bytes per package (`worker`, `db` for the project's own folders), largest first. */
  contributors: { name: string; bytes: number }[];
}

interface Metafile {
  outputs: Record<string, { entryPoint?: string; inputs: Record<string, { bytesInOutput: number }> }>;
}

/** `node_modules/@scope/name/…` → `@scope/name`; a project file → its top folder. */
function owner(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return input.split('/')[0]!;
  const [first, second] = input.slice(at + 'node_modules/'.length).split('/');
  return first!.startsWith('@') ? `${first}/${second}` : first!;
}

/**
 * Bundles the worker into `outdir` (a temporary folder, removed afterwards, when absent) and
 * weighs it.
 */
export function measureBundle(outdir?: string): BundleSize {
  const dir = outdir ?? mkdtempSync(path.join(os.tmpdir(), 'sc-bundle-'));
  try {
    const metafile = path.join(dir, 'bundle-meta.json');
    wranglerBundle(dir, ['--metafile', metafile]);
    const bundle = readFileSync(path.join(dir, 'index.js'));
    const meta = JSON.parse(readFileSync(metafile, 'utf8')) as Metafile;
    const output = Object.values(meta.outputs).find((o) => o.entryPoint);
    if (!output) throw new Error(`no entry point in ${metafile}`);
    const byOwner = new Map<string, number>();
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      byOwner.set(owner(input), (byOwner.get(owner(input)) ?? 0) + bytesInOutput);
    }
    return {
      rawBytes: bundle.length,
      gzipBytes: gzipSync(bundle, { level: 9 }).length,
      budgetGzipBytes: BUNDLE_GZIP_BUDGET_BYTES,
      contributors: [...byOwner].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes),
    };
  } finally {
    if (!outdir) rmSync(dir, { recursive: true, force: true });
  }
}

export const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

/** `635.0 KiB raw, 196.2 KiB gzip` and the largest contributors, for a line of text. */
export function describeBundle(size: BundleSize, top = 6): string {
  const parts = size.contributors.slice(0, top).map((c) => `${c.name} ${kib(c.bytes)}`);
  return `${kib(size.rawBytes)} raw, ${kib(size.gzipBytes)} gzip; largest (minified): ${parts.join(', ')}`;
}
