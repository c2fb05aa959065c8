/**
 * `npm run bench`: every bench, one after the other, then one table of cases, their notes, and
 * one summary of every ratio against its target (or `--json`).
 * Flags and environment: see bench/common.ts (`--connections`, `--seconds`, `--warmup`, `--json`).
 */
import { bundleBench } from './bundle.ts';
import { type Bench, fail, parseSettings, printReport, type Ratio, type TableRow } from './common.ts';
import { disclosureBench } from './disclosure.ts';
import { httpBench } from './http.ts';
import { ingestBench } from './ingest.ts';
import { reportsBench } from './reports.ts';
import { startupBench } from './startup.ts';

// The bundle, startup and disclosure first: they take seconds, and a broken build should stop the run before the long benches.
const BENCHES: Bench<any>[] = [bundleBench, startupBench, disclosureBench, httpBench, ingestBench, reportsBench];

async function main() {
  const settings = parseSettings();
  const benches: unknown[] = [];
  const rows: TableRow[] = [];
  const notes: string[] = [];
  const ratios: Ratio[] = [];
  for (const bench of BENCHES) {
    const result = await bench.run(settings);
    benches.push(result);
    rows.push(...bench.rows(result));
    notes.push(...bench.notes(result));
    ratios.push(...bench.ratios(result));
  }
  printReport(settings.json, benches, rows, notes, ratios);
}

main().catch(fail);
