import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Miniflare, type MiniflareOptions } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';
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

export interface StartWorkerOptions {
  /** A bundle from `bundleWorker()`; made (and removed on dispose) when absent. */
  script?: string;
  port?: number;
  /** The worker's own log lines below this level are dropped. */
  logLevel?: LogLevel;
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
  const { workerOptions } = unstable_getMiniflareWorkerOptions(CONFIG);
  const script = options.script ?? bundle!.script;
  const miniflare = new Miniflare({
    ...(workerOptions as MiniflareOptions),
    modules: true,
    scriptPath: script,
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
    handleRuntimeStdio: filterLogs(logLevel),
  } as MiniflareOptions);
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
