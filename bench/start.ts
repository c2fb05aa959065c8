/**
 * `npm run bench:start [-- --rounds N --baseline REF --json]`: how long `npm start` takes to "Ready", first
 * start (no `.local/`) and restart, in a fresh copy of the repository on free ports (tests/start/npm-start.ts,
 * the newcomer's setup), and the CPU the whole process tree had used by then, per component, read from /proc
 * at the moment "Ready" is printed: a dead process' CPU counts where its parent reaped it (initdb and the
 * Postgres backends under Postgres' or start's own line). CPU-seconds hardly move with the machine's load;
 * wall times do, so the load average is printed beside them.
 *
 * With `--baseline REF` each round also times a copy of commit REF (e.g. `main`), alternating with the
 * working tree, so both meet the same load. Rounds default to 1 (a first start takes 10-20 s of two cores).
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { type Newcomer, newcomer, type Run } from '../tests/start/npm-start.ts';

/** Clock ticks per second of /proc's CPU times: 100 on every Linux this runs on (`getconf CLK_TCK`). */
const TICKS = 100;

interface ProcStat {
  pid: number;
  ppid: number;
  /** Own CPU plus that of the children it reaped, in seconds. */
  cpu: number;
  component: string;
}

/** Which part of the stack a process is, from its command line. */
function componentOf(pid: number, comm: string): string {
  if (comm === 'postgres' || comm === 'initdb') return 'postgres';
  if (comm === 'workerd') return 'workerd';
  if (comm === 'esbuild') return 'esbuild';
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  if (cmdline.includes('wrangler')) return 'wrangler (node)';
  if (cmdline.includes('worker-process')) return 'miniflare (node)';
  if (cmdline.includes('scripts/start.ts')) return 'start (node)';
  return comm;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: the fields follow its last ')'.
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
    return { pid, ppid: Number(fields[1]), cpu: (utime! + stime! + cutime! + cstime!) / TICKS, component: componentOf(pid, comm) };
  } catch {
    return undefined; // gone meanwhile
  }
}

/** CPU-seconds used so far by `root` and every process below it, per component. */
export function treeCpu(root: number): Record<string, number> {
  const all = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map((name) => readStat(Number(name))).filter((stat) => stat !== undefined);
  const children = new Map<number, ProcStat[]>();
  for (const stat of all) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
  const totals: Record<string, number> = {};
  const visit = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      totals[child.component] = (totals[child.component] ?? 0) + child.cpu;
      visit(child.pid);
    }
  };
  const self = all.find((stat) => stat.pid === root);
  // The root is tsx's launcher; the script runs in a child node.
  if (self) totals.tsx = self.cpu;
  visit(root);
  return totals;
}

export interface StartSample {
  /** From spawning `npm start`'s script to its "Ready" line. */
  wallSeconds: number;
  /** What the "Ready in" line said (from the process' start), and its steps. */
  readyLine: string;
  cpu: Record<string, number>;
  cpuTotal: number;
  load: number;
}

async function timeStart(app: Newcomer): Promise<StartSample> {
  const began = performance.now();
  const load = os.loadavg()[0]!;
  let cpu: Record<string, number> = {};
  // Read as the line arrives, before anything after "Ready" (the benchmark history) adds to it.
  const run: Run = await app.start({ onReady: (child) => (cpu = treeCpu(child.pid!)) });
  const wallSeconds = (performance.now() - began) / 1000;
  await app.stop(run);
  const readyLine = /Ready in [^\n]*/.exec(run.output.replace(/\x1b\[[0-9;]*m/g, ''))?.[0] ?? '';
  return { wallSeconds, readyLine, cpu, cpuTotal: Object.values(cpu).reduce((a, b) => a + b, 0), load };
}

export interface StartBenchResult {
  rounds: { label: string; first: StartSample; restart: StartSample }[];
}

async function benchOne(label: string, ref?: string): Promise<StartBenchResult['rounds'][number]> {
  const app = await newcomer(ref ? { ref } : {});
  try {
    const first = await timeStart(app);
    const restart = await timeStart(app);
    return { label, first, restart };
  } finally {
    app.remove();
  }
}

function describe(sample: StartSample): string {
  const parts = Object.entries(sample.cpu)
    .sort(([, a], [, b]) => b - a)
    .map(([name, seconds]) => `${name} ${seconds.toFixed(1)}`)
    .join(', ');
  return `${sample.wallSeconds.toFixed(1)} s wall, ${sample.cpuTotal.toFixed(1)} CPU-s (${parts}), load ${sample.load.toFixed(1)}\n      ${sample.readyLine}`;
}

async function main() {
  const { values } = parseArgs({ options: { rounds: { type: 'string' }, baseline: { type: 'string' }, json: { type: 'boolean' } } });
  const rounds = Number(values.rounds ?? 1);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 10) throw new Error(`--rounds must be an integer from 1 to 10, not "${values.rounds}"`);
  const result: StartBenchResult = { rounds: [] };
  for (let round = 0; round < rounds; round++) {
    if (values.baseline) result.rounds.push(await benchOne(`baseline ${values.baseline}`, values.baseline));
    result.rounds.push(await benchOne('working tree'));
  }
  if (values.json) return console.log(JSON.stringify(result, null, 2));
  console.log(`npm start, ${os.cpus().length} cores, ${rounds} round${rounds === 1 ? '' : 's'}:`);
  for (const { label, first, restart } of result.rounds) {
    console.log(`  ${label}\n    first start: ${describe(first)}\n    restart:     ${describe(restart)}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
