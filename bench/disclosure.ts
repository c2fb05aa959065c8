/**
 * Disclosure bench: plans the disclosure rule (worker/domain/disclosure.ts) for a synthetic tenant
 * at the unit cap (120 regions of teams: 20,000 units) with three years (37 closed months) of
 * answers in both tenure bands and several roles, and a few re-parentings (so several tree
 * versions), then packs the plan as it is stored. No stack, no database.
 *
 * The planning runs in a child Node process started with `--max-old-space-size` (default 128, a
 * Worker's memory; `DISCLOSURE_HEAP_MB` overrides) and `--trace-gc`: its peak heap is the largest
 * heap in use when a collection started (the heap's high points), so a plan that does not fit
 * ends the child with V8's out-of-memory error instead of a figure. Typed arrays live outside that
 * heap, so the child's peak resident set growth is measured too. Printed: planning wall and CPU
 * time, both memory figures, cells walked, the stored plan's bytes and its read-back time, the
 * ratios, and `disclosure: {json}` last.
 * Size: `DISCLOSURE_UNITS` (default 20,000), `DISCLOSURE_MONTHS` (default 37); `DISCLOSURE_IRREGULAR=1`
 * gives each of the 6 atoms of every team-month 0–4 respondents at random (see syntheticInput).
 * CLI: `npm run bench:disclosure [-- --json]`.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type AtomGrid, atomGridBuilder, type DisclosureInput, monthStart, planDisclosure, ROLE_VALUES, storedDisclosure, storePlan, TENURE_BAND_VALUES } from '../worker/domain/disclosure.ts';
import { type Bench, fail, parseSettings, printReport, type Ratio } from './common.ts';

const WORKER_HEAP_MB = 128;
const REGIONS = 120;
const NOW = new Date('2026-12-04T12:00:00Z');

export interface DisclosureBenchResult {
  bench: 'disclosure';
  units: number;
  months: number;
  atoms: number;
  treeVersions: number;
  heapLimitMb: number;
  /** Whether the child planned and stored within the heap limit. */
  fits: boolean;
  exitCode: number | null;
  cellsWalked: number;
  planningWallMs: number;
  planningCpuMs: number;
  storingWallMs: number;
  /** Unpacking the stored plan, as each read of a planned tenant does. */
  readingWallMs: number;
  /** Largest heap in use when a collection started, in the whole child: input, plan and stored plan. */
  peakHeapMb: number;
  /**
   * The child's largest resident set less its resident set before building the input: heap, typed
   * arrays (outside the heap) and the allocator's slack, so an upper bound of what planning took.
   */
  peakRssGrowthMb: number;
  /** Heap and typed arrays held by the input alone (after a full collection), before planning. */
  inputHeapMb: number;
  /** JSON bytes of the stored plan: what one database request writes to `disclosure_plans`. */
  storedPlanBytes: number;
}

/**
 * A tenant like request-size's: regions of teams, every team answering every closed month with 5
 * respondents over 3 atoms (both tenure bands, two roles), and one team of every 40th region moved
 * to the next region in one of the last months (a tree version per move). `irregular`: each of a
 * team-month's 6 tenure band × role atoms has 0–4 respondents at random instead (seeded, so every
 * run is the same tenant): about 5 atoms per team-month, and letters that deflate less.
 */
export function syntheticInput(units = 20_000, months = 37, irregular = false): DisclosureInput & { atoms: AtomGrid } {
  const regions = Array.from({ length: Math.min(REGIONS, units) }, (_, r) => ({ id: uuid(r), parentId: null as string | null }));
  const teams = Array.from({ length: units - regions.length }, (_, t) => ({ id: uuid(1_000_000 + t), parentId: regions[t % regions.length]!.id }));
  // xorshift32: a fixed sequence for the irregular tenant.
  let state = 2_463_534_242;
  const random = () => ((state ^= state << 13), (state ^= state >>> 17), (state ^= state << 5), state >>> 0);
  // As the worker reads them: into the grid, page by page (worker/db/disclosure.ts).
  const atoms = atomGridBuilder([...regions, ...teams].map((unit) => unit.id));
  for (let m = 1; m <= months; m++) {
    const month = monthStart(NOW, -m);
    teams.forEach((team, t) => {
      if (irregular) {
        for (const tenureBand of TENURE_BAND_VALUES) for (const role of ROLE_VALUES) atoms.add({ unitId: team.id, month, tenureBand, role, respondents: random() % 5 });
        return;
      }
      atoms.add({ unitId: team.id, month, tenureBand: 'new', role: 'frontline', respondents: 2 });
      atoms.add({ unitId: team.id, month, tenureBand: 'established', role: 'frontline', respondents: 2 });
      atoms.add({ unitId: team.id, month, tenureBand: 'established', role: t % 2 ? 'support' : 'leader', respondents: 1 });
    });
  }
  const history = [];
  for (let r = 0; r + 1 < regions.length; r += 40) {
    const team = teams[r]!;
    const validFrom = Date.parse(`${monthStart(NOW, -1 - (r / 40) * 2)}T00:00:00Z`) + 9 * 86_400_000;
    history.push({ unitId: team.id, parentId: team.parentId, validFrom: 1 }, { unitId: team.id, parentId: regions[r + 1]!.id, validFrom });
    team.parentId = regions[r + 1]!.id;
  }
  return { atoms: atoms.build(), history, units: [...regions, ...teams], now: NOW };
}

/** A deterministic UUID-shaped id: the length of the ids the worker reads. */
function uuid(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

/** The child's part: build, plan, store; one JSON line for the parent. */
async function child(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc!;
  gc();
  const rssBefore = process.memoryUsage().rss;
  const input = syntheticInput(Number(process.env.DISCLOSURE_UNITS), Number(process.env.DISCLOSURE_MONTHS), process.env.DISCLOSURE_IRREGULAR === '1');
  gc();
  // The grid's own bytes: process.memoryUsage().arrayBuffers still counts buffers a collection has not yet released.
  const { start, slot, respondents } = input.atoms;
  const inputHeap = process.memoryUsage().heapUsed + [start, slot, respondents].reduce((sum, column) => sum + column.byteLength, 0);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const plan = planDisclosure(input);
  const planningWallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const planningCpuMs = (used.user + used.system) / 1000;
  const storing = performance.now();
  const stored = await storePlan(plan, input);
  const storingWallMs = performance.now() - storing;
  // What every later read of the tenant pays before its first decision.
  const reading = performance.now();
  await storedDisclosure(stored, input.now);
  const readingWallMs = performance.now() - reading;
  // Typed arrays live outside the V8 heap (the heap cap does not bound them) but a Worker counts them: the resident set does too.
  const peakRssGrowthMb = (process.resourceUsage().maxRSS * 1024 - rssBefore) / 2 ** 20;
  // The first version (units placed since always) and one per distinct time in the history.
  const versions = 1 + new Set(input.history.map((entry) => entry.validFrom)).size;
  console.log(
    `disclosure-child: ${JSON.stringify({
      units: input.units.length,
      months: input.atoms.months.length,
      atoms: input.atoms.length,
      treeVersions: versions,
      cellsWalked: plan.walked,
      planningWallMs,
      planningCpuMs,
      storingWallMs,
      readingWallMs,
      peakRssGrowthMb,
      inputHeapMb: inputHeap / 2 ** 20,
      storedPlanBytes: new TextEncoder().encode(JSON.stringify(stored)).length,
    })}`,
  );
}

/**
 * Plans in a child process capped at `heapLimitMb` (default: `DISCLOSURE_HEAP_MB`, else 128), a
 * tenant of `units` and `months` (default: `DISCLOSURE_UNITS` and `DISCLOSURE_MONTHS`, else 20,000 and 37).
 */
export async function runDisclosureBench({
  heapLimitMb = Number(process.env.DISCLOSURE_HEAP_MB ?? WORKER_HEAP_MB),
  units = Number(process.env.DISCLOSURE_UNITS ?? 20_000),
  months = Number(process.env.DISCLOSURE_MONTHS ?? 37),
} = {}): Promise<DisclosureBenchResult> {
  const script = fileURLToPath(import.meta.url);
  const args = ['--import', 'tsx', '--expose-gc', '--trace-gc', `--max-old-space-size=${heapLimitMb}`, script, '--child'];
  const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
    const env = { ...process.env, DISCLOSURE_UNITS: String(units), DISCLOSURE_MONTHS: String(months) };
    const process_ = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env });
    let stdout = '';
    process_.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    process_.on('error', reject);
    process_.on('close', (code) => resolve({ code, stdout }));
  });
  // `[pid:0x…]  123 ms: Mark-Compact 95.2 (130.4) -> 60.1 (100.0) MB, …`: the first figure is the heap in use as the collection began.
  const peakHeapMb = Math.max(0, ...[...stdout.matchAll(/: (?:Scavenge|Mark-Compact|Mark-sweep)[^\d]*([\d.]+) \([\d.]+\) ->/g)].map((match) => Number(match[1])));
  const line = stdout.split('\n').find((text) => text.startsWith('disclosure-child: '));
  const figures = line ? JSON.parse(line.slice('disclosure-child: '.length)) : {};
  return {
    bench: 'disclosure',
    units: figures.units ?? Number.NaN,
    months: figures.months ?? Number.NaN,
    atoms: figures.atoms ?? Number.NaN,
    treeVersions: figures.treeVersions ?? Number.NaN,
    heapLimitMb,
    fits: code === 0 && line !== undefined,
    exitCode: code,
    cellsWalked: figures.cellsWalked ?? Number.NaN,
    planningWallMs: figures.planningWallMs ?? Number.NaN,
    planningCpuMs: figures.planningCpuMs ?? Number.NaN,
    storingWallMs: figures.storingWallMs ?? Number.NaN,
    readingWallMs: figures.readingWallMs ?? Number.NaN,
    peakHeapMb,
    peakRssGrowthMb: figures.peakRssGrowthMb ?? Number.NaN,
    inputHeapMb: figures.inputHeapMb ?? Number.NaN,
    storedPlanBytes: figures.storedPlanBytes ?? Number.NaN,
  };
}

export function disclosureNotes(r: DisclosureBenchResult): string[] {
  const size = `${r.units.toLocaleString('en-US')} units x ${r.months} months (${r.atoms.toLocaleString('en-US')} atoms, ${r.treeVersions} tree versions)`;
  const outcome = r.fits
    ? `${r.cellsWalked.toLocaleString('en-US')} cells walked in ${r.planningWallMs.toFixed(0)} ms wall, ${r.planningCpuMs.toFixed(0)} ms CPU; stored in ${r.storingWallMs.toFixed(0)} ms, ${(r.storedPlanBytes / 1024).toFixed(0)} KiB, read back in ${r.readingWallMs.toFixed(0)} ms`
    : `did not finish within a ${r.heapLimitMb} MB heap (exit code ${r.exitCode})`;
  return [`disclosure: ${size}: ${outcome}; peak heap ${r.peakHeapMb.toFixed(1)} MB (the input alone ${r.inputHeapMb.toFixed(1)} MB with its typed arrays), peak resident set growth ${r.peakRssGrowthMb.toFixed(1)} MB (heap and typed arrays)`];
}

export function disclosureRatios(r: DisclosureBenchResult): Ratio[] {
  return [
    // A child that ran out of memory has no meaningful peak: NaN meets no target.
    { bench: 'disclosure', name: `peak resident set growth / ${WORKER_HEAP_MB} MB (a Worker's memory)`, value: r.fits ? r.peakRssGrowthMb / WORKER_HEAP_MB : Number.NaN, target: { atMost: 1 } },
    { bench: 'disclosure', name: `peak heap / ${WORKER_HEAP_MB} MB`, value: r.fits ? r.peakHeapMb / WORKER_HEAP_MB : Number.NaN, target: { atMost: 1 } },
    { bench: 'disclosure', name: 'stored plan bytes / 1 MiB (one database request)', value: r.fits ? r.storedPlanBytes / 2 ** 20 : Number.NaN, target: { atMost: 1 } },
  ];
}

export const disclosureBench: Bench<DisclosureBenchResult> = { run: () => runDisclosureBench(), rows: () => [], notes: disclosureNotes, ratios: disclosureRatios };

if (process.argv.includes('--child')) {
  child().catch(fail);
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // Alone: the figures, the ratios, then `disclosure: {json}` as the last line (as bench:scale prints `scale: {json}`).
  (async () => {
    const settings = parseSettings();
    const result = await runDisclosureBench();
    const ratios = disclosureRatios(result);
    printReport(settings.json, [result], [], disclosureNotes(result), ratios);
    if (!settings.json) console.log(`disclosure: ${JSON.stringify({ ...result, peakMemoryRatio: ratios[0]!.value, peakHeapRatio: ratios[1]!.value, storedPlanRatio: ratios[2]!.value })}`);
  })().catch(fail);
}
