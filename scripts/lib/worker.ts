import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { MiniflareOptions } from 'miniflare';
import type { unstable_getMiniflareWorkerOptions } from 'wrangler';
import { prepareAssets } from './assets.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CONFIG = path.join(ROOT, 'wrangler.toml');

/**
 * `wrangler deploy --dry-run` into `outdir`: the bundle as production gets it (esbuild,
 * wrangler.toml), `outdir/index.js`. `flags` adds e.g. `--metafile`. The static assets are
 * prepared first: wrangler refuses a missing `[assets]` folder, and startWorker serves it.
 */
export function wranglerBundle(outdir: string, flags: string[] = []): void {
  prepareAssets();
  const result = spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', '--dry-run', '--outdir', outdir, ...flags],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } },
  );
  if (result.status !== 0) throw new Error(`bundling the worker failed:\n${result.stdout}\n${result.stderr}`);
}

/** Miniflare's options for wrangler.toml as wrangler derives them: plain JSON (names, paths, numbers). */
export type WorkerOptions = ReturnType<typeof unstable_getMiniflareWorkerOptions>['workerOptions'];

/** What the bundle and its options are made of: the worker's and the schema's sources, the config, the locked packages. */
const BUILD_INPUTS = ['worker', 'db', 'wrangler.toml', 'package-lock.json', 'tsconfig.json'];
/** What wrangler's Miniflare options are made of: an edit of the worker's code leaves them as they were. */
const OPTIONS_INPUTS = ['wrangler.toml', 'package-lock.json'];

function keyOf(inputs: readonly string[]): string {
  const hash = createHash('sha256');
  for (const input of inputs) {
    const full = path.join(ROOT, input);
    const files = input.includes('.') ? [input] : readdirSync(full, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name)))
      .sort();
    for (const file of files) hash.update(file).update('\0').update(readFileSync(path.join(ROOT, file))).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

function runNode(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${stdout}\n${stderr}`.trim()))));
  });
}

/**
 * The deploy bundle (as `wranglerBundle`) and wrangler's Miniflare options for it, kept in `cacheDir` per
 * content of the sources (`BUILD_INPUTS`): a start with unchanged sources reuses them and runs no wrangler.
 * A miss runs both in one plain-node child process (./wrangler-build.cjs: loading wrangler, about 2 CPU-seconds,
 * once for both; under tsx it took twice as long), and keeps only the newest build; the options are kept per
 * `OPTIONS_INPUTS`, so an edit of the worker's code costs only the bundle.
 */
export async function cachedWorkerBuild(cacheDir: string): Promise<{ script: string; workerOptions: WorkerOptions; cached: boolean }> {
  prepareAssets();
  const key = keyOf(BUILD_INPUTS);
  const dir = path.join(cacheDir, key);
  const optionsFile = path.join(cacheDir, `options-${keyOf(OPTIONS_INPUTS)}.json`);
  const cached = existsSync(path.join(dir, 'index.js')) && existsSync(optionsFile);
  if (!cached) {
    await mkdir(cacheDir, { recursive: true });
    const partial = await mkdtemp(path.join(cacheDir, `${key}.partial-`));
    try {
      const options = existsSync(optionsFile) ? [] : [optionsFile, CONFIG];
      await runNode([path.join(ROOT, 'scripts/lib/wrangler-build.cjs'), partial, ...options]).catch((error: Error) => {
        throw new Error(`bundling the worker failed:\n${error.message}`);
      });
      // Only the newest build is kept: older ones are sources that no longer exist.
      const keep = new Set([path.basename(partial), path.basename(optionsFile)]);
      for (const entry of await readdir(cacheDir)) if (!keep.has(entry)) await rm(path.join(cacheDir, entry), { recursive: true, force: true });
      await rename(partial, dir);
    } catch (error) {
      await rm(partial, { recursive: true, force: true });
      throw error;
    }
  }
  return { script: path.join(dir, 'index.js'), workerOptions: JSON.parse(readFileSync(optionsFile, 'utf8')) as WorkerOptions, cached };
}

/**
 * Bundles the worker exactly as `wrangler deploy` does, into a temporary folder. Tests and
 * benches run this bundle, so they exercise what production would.
 */
export function bundleWorker(): { script: string; dispose(): void } {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'sc-bundle-'));
  try {
    wranglerBundle(outdir);
  } catch (error) {
    rmSync(outdir, { recursive: true, force: true });
    throw error;
  }
  return { script: path.join(outdir, 'index.js'), dispose: () => rmSync(outdir, { recursive: true, force: true }) };
}

export interface RunningWorker {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /**
   * A producer of one of the worker's Queues (wrangler.toml's `[[queues.producers]]`, which Miniflare
   * runs locally with their consumers), so tests can put messages on it as the worker would.
   */
  queueProducer<Body = unknown>(binding: string): Promise<{ send(body: Body): Promise<unknown>; sendBatch(messages: { body: Body }[]): Promise<unknown> }>;
  dispose(): Promise<void>;
}

type LogLevel = 'error' | 'warn' | 'info';
const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2 };

/** Passes on the worker's JSON log lines at or above `level`, and anything that is not one. */
function filterLogs(level: LogLevel) {
  return (stdout: Readable, stderr: Readable) => {
    for (const [stream, out] of [[stdout, process.stdout], [stderr, process.stderr]] as const) {
      createInterface({ input: stream }).on('line', (line) => {
        let lineLevel: unknown;
        try {
          lineLevel = (JSON.parse(line) as { level?: unknown }).level;
        } catch {
          // not one of ours: show it
        }
        if (typeof lineLevel !== 'string' || RANK[lineLevel as LogLevel] <= RANK[level]) out.write(`${line}\n`);
      });
    }
  };
}

/**
 * The bundle's modules. wrangler's bundle of this worker is one file: given as such, Miniflare skips parsing
 * 700 KiB of JavaScript to find its imports (about a CPU-second of every start). Should it ever have more
 * modules (a chunk, a wasm file), Miniflare finds them itself.
 */
function modulesOf(script: string): Partial<Pick<MiniflareOptions, 'modules' | 'scriptPath'>> {
  const others = readdirSync(path.dirname(script)).filter((file) => file !== path.basename(script) && /\.(m?js|cjs|wasm|bin|txt|html)$/.test(file));
  if (others.length > 0) return { modules: true, scriptPath: script };
  return { modules: [{ type: 'ESModule', path: script, contents: readFileSync(script, 'utf8') }] } as Pick<MiniflareOptions, 'modules'>;
}

export interface StartWorkerOptions {
  /** A bundle from `bundleWorker()`; made (and removed on dispose) when absent. */
  script?: string;
  port?: number;
  /** The worker's own log lines below this level are dropped. */
  logLevel?: LogLevel;
  /** wrangler.toml's options, when the caller has them (`cachedWorkerBuild`); else derived here. */
  workerOptions?: WorkerOptions;
}

/**
 * The real worker in workerd through Miniflare directly — no wrangler dev proxy in front, so
 * throughput figures are the worker's — with wrangler.toml's settings and the given bindings.
 * `/cdn-cgi/handler/scheduled` fires the cron handler as the platform would. wrangler.toml's Queues
 * (producers, consumers with their batch size, retries and dead-letter queue) come with its options
 * too, so the worker's `queue()` handler consumes them as in production. The `[assets]` folder
 * comes with wrangler.toml's options: Miniflare puts the same asset router in front as production.
 */
export async function startWorker(vars: Record<string, string>, options: StartWorkerOptions = {}): Promise<RunningWorker> {
  const { port = 0, logLevel = 'error' } = options;
  prepareAssets();
  const bundle = options.script ? undefined : bundleWorker();
  // Loaded only when needed: wrangler takes seconds of CPU to load.
  const workerOptions = options.workerOptions ?? (await import('wrangler')).unstable_getMiniflareWorkerOptions(CONFIG).workerOptions;
  const script = options.script ?? bundle!.script;
  // Loaded here, not at the top: `npm start` takes this module's other functions and runs Miniflare elsewhere.
  const { Miniflare } = await import('miniflare');
  const miniflare = new Miniflare({ ...miniflareOptions(vars, { script, workerOptions, port }), handleRuntimeStdio: filterLogs(logLevel) });
  try {
    const url = (await miniflare.ready).href.replace(/\/$/, '');
    return {
      url,
      queueProducer: (binding) => miniflare.getQueueProducer(binding),
      async dispose() {
        await miniflare.dispose();
        bundle?.dispose();
      },
    };
  } catch (error) {
    await miniflare.dispose().catch(() => {});
    bundle?.dispose();
    throw error;
  }
}

/**
 * Miniflare's options for the worker: `script` with wrangler.toml's settings and the given bindings, on
 * 127.0.0.1:`port`. Plain data (what workerd prints is the caller's to handle), so a process of its own can
 * take them (scripts/lib/worker-process.mjs).
 */
export function miniflareOptions(vars: Record<string, string>, { script, workerOptions, port }: { script: string; workerOptions: WorkerOptions; port: number }): MiniflareOptions {
  return {
    ...(workerOptions as MiniflareOptions),
    ...modulesOf(script),
    // Module names are paths relative to this root; the bundle lives outside the working directory.
    modulesRoot: path.dirname(script),
    bindings: { ...workerOptions.bindings, ...vars },
    host: '127.0.0.1',
    port,
    // Offline there is no Request.cf to download; nothing here reads it.
    cf: false,
    unsafeTriggerHandlers: true,
    // With `[assets]` every request reaches the asset router first, which has no `scheduled` handler:
    // this route sends the cron trigger straight to the worker, as the platform does.
    name: 'service-culture-api',
    routes: ['*/cdn-cgi/handler/*'],
  } as MiniflareOptions;
}
