/**
 * `npm run bench`: every bench, one after the other, then one table (or `--json`).
 * Flags and environment: see bench/common.ts (`--connections`, `--seconds`, `--warmup`, `--json`).
 */
import { type TableRow, fail, parseSettings, printReport } from './common.ts';
import { httpNotes, httpRows, runHttpBench } from './http.ts';
import { ingestNotes, ingestRows, runIngestBench } from './ingest.ts';
import { reportsNotes, reportsRows, runReportsBench } from './reports.ts';

async function main() {
  const settings = parseSettings();
  const benches: unknown[] = [];
  const rows: TableRow[] = [];
  const notes: string[] = [];

  const http = await runHttpBench(settings);
  benches.push(http);
  rows.push(...httpRows(http));
  notes.push(...httpNotes(http));

  const ingest = await runIngestBench(settings);
  benches.push(ingest);
  rows.push(...ingestRows(ingest));
  notes.push(...ingestNotes(ingest));

  const reports = await runReportsBench(settings);
  benches.push(reports);
  rows.push(...reportsRows(reports));
  notes.push(...reportsNotes(reports));

  printReport(settings.json, benches, rows, notes);
}

main().catch(fail);
