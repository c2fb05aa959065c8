/**
 * What the worker bundle's gzip size is made of, per package and per module. esbuild's metafile gives
 * minified bytes only; gzip is what the budget counts and what repetition shrinks, so each part is
 * weighed by its marginal gzip: gzip(bundle) − gzip(bundle without that part's characters), the
 * part's ownership read from the bundle's source map. Parts overlap in what they compress against,
 * so the marginals do not add up to the total; they say what removing a part would save.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface BundlePart {
  name: string;
  /** Characters of minified output the source map gives this part. */
  bytes: number;
  /** gzip level 9 of the bundle minus that of the bundle without this part. */
  gzipBytes: number;
}

export interface BundleReport {
  gzipBytes: number;
  packages: BundlePart[];
  /** The largest modules by marginal gzip, `top` of them. */
  modules: BundlePart[];
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Source map v3 `mappings`: per generated line, the [column, source index] of each segment that names a source. */
function decodeMappings(mappings: string): [number, number][][] {
  const lines: [number, number][][] = [];
  let source = 0;
  for (const line of mappings.split(';')) {
    const segments: [number, number][] = [];
    let column = 0;
    for (const segment of line.split(',')) {
      if (!segment) continue;
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const char of segment) {
        const digit = BASE64.indexOf(char);
        value += (digit & 31) << shift;
        if (digit & 32) {
          shift += 5;
        } else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      column += fields[0]!;
      if (fields.length >= 4) {
        source += fields[1]!;
        // the later fields (line, column, name) are deltas too, but only the source matters here
        segments.push([column, source]);
      } else {
        segments.push([column, -1]);
      }
    }
    lines.push(segments);
  }
  return lines;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** `node_modules/@scope/name/…` → `@scope/name`; a project file → its top folder. */
export function packageOf(module: string): string {
  const at = module.lastIndexOf('node_modules/');
  if (at < 0) return module.split('/')[0]!;
  const [first, second] = module.slice(at + 'node_modules/'.length).split('/');
  return first!.startsWith('@') ? `${first}/${second}` : first!;
}

const withoutExtension = (file: string) => file.replace(/\.[cm]?[jt]sx?$/, '');

/**
 * Each source of the map as a path relative to the project. A package that ships its own source maps
 * (drizzle-orm) names files that are not on disk (`node_modules/src/pg-core/dialect.ts`): those are
 * matched to the bundled input with the same path tail (`node_modules/drizzle-orm/pg-core/dialect.js`).
 */
function projectPaths(sources: string[], base: string, inputs: string[], root: string): string[] {
  const files = sources.map((source) => path.relative(root, path.resolve(base, source)));
  const onDisk = new Set(files.filter((file) => existsSync(path.join(root, file))));
  const bundled = inputs.map((input) => path.relative(root, path.resolve(root, input))).filter((input) => input.includes('node_modules/'));
  return files.map((file) => {
    if (onDisk.has(file)) return file;
    // drizzle-orm's maps point at its `src/` folder, which is not published
    const tail = withoutExtension(file).replace(/^.*?node_modules\/src\//, '');
    return bundled.find((input) => withoutExtension(input).endsWith(`/${tail}`)) ?? file;
  });
}

const gzipLength = (text: string) => gzipSync(text, { level: 9 }).length;

/**
 * Weighs `dir/index.js` by its `dir/index.js.map` and the esbuild metafile `dir/bundle-meta.json`, a bundle of
 * the checkout at `root` (this one by default; another, e.g. an earlier commit's worktree, to compare).
 */
export function reportBundle(dir: string, top = 40, root = ROOT): BundleReport {
  const code = readFileSync(path.join(dir, 'index.js'), 'utf8');
  const map = JSON.parse(readFileSync(path.join(dir, 'index.js.map'), 'utf8')) as { sources: string[]; sourceRoot?: string; mappings: string };
  const meta = JSON.parse(readFileSync(path.join(dir, 'bundle-meta.json'), 'utf8')) as { inputs: Record<string, unknown> };
  const modules = projectPaths(map.sources, map.sourceRoot || dir, Object.keys(meta.inputs), root);
  // owner[i]: the source index of character i of the bundle, -1 for esbuild's own glue
  const owner = new Int32Array(code.length).fill(-1);
  const lines = code.split('\n');
  const decoded = decodeMappings(map.mappings);
  let offset = 0;
  lines.forEach((line, index) => {
    const segments = decoded[index] ?? [];
    segments.forEach(([column, source], s) => {
      const end = s + 1 < segments.length ? segments[s + 1]![0] : line.length;
      owner.fill(source, offset + column, offset + end);
    });
    offset += line.length + 1;
  });

  const total = gzipLength(code);
  const weigh = (name: string, member: (source: number) => boolean): BundlePart => {
    let kept = '';
    let bytes = 0;
    let start = 0;
    for (let i = 0; i <= code.length; i++) {
      const inPart = i < code.length && owner[i]! >= 0 && member(owner[i]!);
      if (inPart) bytes++;
      if (i === code.length || inPart) {
        kept += code.slice(start, i);
        start = i + 1;
      }
    }
    return { name, bytes, gzipBytes: total - gzipLength(kept) };
  };

  const sizes = new Map<number, number>();
  for (const source of owner) if (source >= 0) sizes.set(source, (sizes.get(source) ?? 0) + 1);
  const packageNames = [...new Set(modules.map(packageOf))];
  const packages = packageNames.map((name) => weigh(name, (source) => packageOf(modules[source]!) === name));
  // Weighing each module is a gzip of the whole bundle: only the largest by characters are weighed.
  const largest = [...sizes].sort((a, b) => b[1] - a[1]).slice(0, top * 2);
  const weighed = largest.map(([source]) => weigh(modules[source]!, (s) => s === source));
  const byGzip = (a: BundlePart, b: BundlePart) => b.gzipBytes - a.gzipBytes;
  return { gzipBytes: total, packages: packages.sort(byGzip), modules: weighed.sort(byGzip).slice(0, top) };
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)}`;

/** The report as two plain tables. */
export function formatBundleReport(report: BundleReport): string {
  const table = (title: string, parts: BundlePart[]) => {
    const width = Math.max(title.length, ...parts.map((p) => p.name.length));
    const rows = parts.map((p) => `${p.name.padEnd(width)}  ${kib(p.bytes).padStart(9)}  ${kib(p.gzipBytes).padStart(9)}`);
    return [`${title.padEnd(width)}  ${'min KiB'.padStart(9)}  ${'gzip KiB'.padStart(9)}`, ...rows].join('\n');
  };
  return [
    `bundle gzip ${kib(report.gzipBytes)} KiB; gzip KiB = marginal: what the bundle's gzip would lose without the part`,
    '',
    table('package', report.packages),
    '',
    table('module', report.modules),
  ].join('\n');
}
