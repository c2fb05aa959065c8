/**
 * Startup bench: how long a fresh workerd (through Miniflare) takes from construction to its first
 * `GET /health` answer with the deploy bundle (`wrangler deploy --dry-run`, as production gets it),
 * against a hello-world worker in the same run, round after round, alternating the two so that the
 * machine's load falls on both alike. The difference of the medians is what every cold start pays for
 * parsing and initialising the bundle (Cloudflare refuses a Worker whose startup exceeds 1 s).
 *
 * Both workers get the same minimal Miniflare options (the script, wrangler.toml's compatibility date
 * and flags, and one binding: the rate limits kept in memory, which production's `[[ratelimits]]` bindings
 * replace): only the script differs. `GET /health` answers without a database.
 * Wall time on a shared machine follows its load; workerd's CPU time to the answer (from /proc) much less.
 * CLI: `npm run bench:startup [-- --json]`; `STARTUP_ROUNDS` (default 7, 1-50); `STARTUP_BUNDLE=path/index.js`
 * times that bundle instead (e.g. one built from an earlier commit). Part of `npm run bench`.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';
import { wranglerBundle } from '../scripts/lib/worker.ts';
import { type Bench, percentile, type Ratio, runAsScript } from './common.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Milliseconds over hello-world the deploy bundle may take to its first answer (issue 15). */
export const STARTUP_BUDGET_MS = 150;

const HELLO_WORLD = `export default { fetch: () => Response.json({ status: 'ok' }) };\n`;

interface Sample {
  /** From `new Miniflare()` to the first `/health` body. */
  wallMs: number;
  /** CPU time workerd had used by then (all its threads), NaN where /proc cannot tell. */
  cpuMs: number;
  /**
   * Then the first `GET /v1/tenant` (no credentials: 401), request sent to body read: the API's modules
   * and schemas are built on the first request that needs them, so this is where that cost went.
   */
  firstApiMs: number;
}

export interface StartupBenchResult {
  bench: 'startup';
  rounds: number;
  helloWorld: Sample[];
  bundle: Sample[];
  helloWorldMedianMs: number;
  bundleMedianMs: number;
  /** bundle median − hello-world median, wall time. */
  overheadMs: number;
  /** The same in workerd's CPU time: steadier than wall time on a loaded machine. */
  helloWorldMedianCpuMs: number;
  bundleMedianCpuMs: number;
  overheadCpuMs: number;
}

function rounds(raw = process.env.STARTUP_ROUNDS): number {
  const value = raw ? Number(raw) : 7;
  if (!Number.isInteger(value) || value < 1 || value > 50) throw new Error(`STARTUP_ROUNDS must be an integer from 1 to 50, not "${raw}"`);
  return value;
}

/**
 * CPU time used so far by this process's workerd children, every thread, in ms (Linux: the first field
 * of /proc/<pid>/task/<tid>/schedstat is nanoseconds on the CPU). One Miniflare runs at a time here.
 */
function workerdCpuMs(): number {
  const tasks = `/proc/${process.pid}/task`;
  if (!existsSync(tasks)) return Number.NaN;
  const children = readdirSync(tasks).flatMap((tid) => readFileSync(`${tasks}/${tid}/children`, 'utf8').split(' ').filter(Boolean));
  let nanoseconds = 0;
  for (const pid of children) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'workerd') continue;
      for (const tid of readdirSync(`/proc/${pid}/task`)) nanoseconds += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // a child that exited meanwhile
    }
  }
  return nanoseconds / 1e6;
}

/** One cold start: a new workerd with `scriptPath`, timed to its first `/health` body. */
async function coldStart(scriptPath: string, compatibility: { compatibilityDate?: string; compatibilityFlags?: string[] }): Promise<Sample> {
  const started = performance.now();
  const miniflare = new Miniflare({
    ...compatibility,
    // The module as given, as Cloudflare gets it: with `scriptPath` alone Miniflare would first parse the
    // whole script in Node (acorn) looking for imports, a cost of its own that grows with the bundle.
    modules: [{ type: 'ESModule', path: scriptPath, contents: readFileSync(scriptPath, 'utf8') }],
    modulesRoot: path.dirname(scriptPath),
    // Without a limiter a failed authentication has nowhere to count, and the first API request would be a 500.
    bindings: { RATE_LIMIT_MODE: 'local' },
    cf: false,
    // The worker's request log would interleave with the report; its errors still show.
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
      stdout.resume();
      stderr.pipe(process.stderr);
    },
  });
  try {
    const response = await miniflare.dispatchFetch('http://localhost/health');
    const body = await response.text();
    const wallMs = performance.now() - started;
    const cpuMs = workerdCpuMs();
    if (response.status !== 200) throw new Error(`GET /health from ${path.basename(scriptPath)}: ${response.status} ${body}`);
    const sent = performance.now();
    const api = await miniflare.dispatchFetch('http://localhost/v1/tenant');
    await api.arrayBuffer();
    // hello-world answers 200 to anything; the bundle must refuse the missing credential, not fail.
    if (api.status >= 500) throw new Error(`GET /v1/tenant from ${path.basename(scriptPath)}: ${api.status}`);
    return { wallMs, cpuMs, firstApiMs: performance.now() - sent };
  } finally {
    await miniflare.dispose();
  }
}

const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);

export async function runStartupBench(): Promise<StartupBenchResult> {
  const count = rounds();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sc-startup-'));
  try {
    const bundle = process.env.STARTUP_BUNDLE ? path.resolve(process.env.STARTUP_BUNDLE) : path.join(dir, 'index.js');
    if (!process.env.STARTUP_BUNDLE) wranglerBundle(dir);
    const hello = path.join(dir, 'hello-world.mjs');
    writeFileSync(hello, HELLO_WORLD);
    const { workerOptions } = unstable_getMiniflareWorkerOptions(path.join(ROOT, 'wrangler.toml'));
    const compatibility = { compatibilityDate: workerOptions.compatibilityDate, compatibilityFlags: workerOptions.compatibilityFlags };
    // One of each first, not counted: the first workerd of a process pays for loading its binary.
    await coldStart(hello, compatibility);
    await coldStart(bundle, compatibility);
    const helloWorld: Sample[] = [];
    const bundleSamples: Sample[] = [];
    for (let round = 0; round < count; round++) {
      helloWorld.push(await coldStart(hello, compatibility));
      bundleSamples.push(await coldStart(bundle, compatibility));
    }
    const helloWorldMedianMs = median(helloWorld.map((s) => s.wallMs));
    const bundleMedianMs = median(bundleSamples.map((s) => s.wallMs));
    const helloWorldMedianCpuMs = median(helloWorld.map((s) => s.cpuMs));
    const bundleMedianCpuMs = median(bundleSamples.map((s) => s.cpuMs));
    return {
      bench: 'startup',
      rounds: count,
      helloWorld,
      bundle: bundleSamples,
      helloWorldMedianMs,
      bundleMedianMs,
      overheadMs: bundleMedianMs - helloWorldMedianMs,
      helloWorldMedianCpuMs,
      bundleMedianCpuMs,
      overheadCpuMs: bundleMedianCpuMs - helloWorldMedianCpuMs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ms = (value: number) => `${value.toFixed(0)} ms`;

const list = (samples: Sample[], key: keyof Sample) => samples.map((s) => s[key].toFixed(0)).join(', ');

export function startupNotes(r: StartupBenchResult): string[] {
  return [
    `startup: construction to first GET /health, median of ${r.rounds} rounds: deploy bundle ${ms(r.bundleMedianMs)}, hello-world ${ms(r.helloWorldMedianMs)}; ` +
      `difference ${ms(r.overheadMs)} (ratio ${(r.bundleMedianMs / r.helloWorldMedianMs).toFixed(2)})`,
    `startup: workerd CPU time to that answer, medians: deploy bundle ${ms(r.bundleMedianCpuMs)}, hello-world ${ms(r.helloWorldMedianCpuMs)}; difference ${ms(r.overheadCpuMs)}`,
    `startup: then the first GET /v1/tenant (401, the API built on first use), median: deploy bundle ${ms(median(r.bundle.map((s) => s.firstApiMs)))}, ` +
      `hello-world ${ms(median(r.helloWorld.map((s) => s.firstApiMs)))}`,
    `startup: rounds (wall ms / CPU ms), bundle [${list(r.bundle, 'wallMs')}] / [${list(r.bundle, 'cpuMs')}], ` +
      `hello-world [${list(r.helloWorld, 'wallMs')}] / [${list(r.helloWorld, 'cpuMs')}]`,
  ];
}

export function startupRatios(r: StartupBenchResult): Ratio[] {
  return [
    {
      bench: 'startup',
      name: `startup over hello-world ${ms(r.overheadMs)} / budget ${ms(STARTUP_BUDGET_MS)}`,
      value: r.overheadMs / STARTUP_BUDGET_MS,
      target: { atMost: 1 },
    },
    { bench: 'startup', name: 'startup, deploy bundle / hello-world (medians)', value: r.bundleMedianMs / r.helloWorldMedianMs },
    { bench: 'startup', name: `startup CPU over hello-world ${ms(r.overheadCpuMs)} / budget ${ms(STARTUP_BUDGET_MS)}`, value: r.overheadCpuMs / STARTUP_BUDGET_MS },
  ];
}

export const startupBench: Bench<StartupBenchResult> = { run: runStartupBench, rows: () => [], notes: startupNotes, ratios: startupRatios };

runAsScript(import.meta.url, startupBench);
