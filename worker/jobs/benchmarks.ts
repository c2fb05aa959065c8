import { createDatabase } from '../db/client.ts';
import { finishJobRun, type JobRun, readParticipants, readPeriodTotals, replaceSnapshot, startJobRun } from '../db/benchmarks.ts';
import { noiseKey } from '../domain/benchmark-noise.ts';
import { computeBenchmark, type Contribution, eligibleValues, lastCompletePeriods, publishedValues } from '../domain/benchmarks.ts';
import { uuidv7 } from '../domain/ids.ts';
import type { Env } from '../env.ts';

export const BENCHMARK_JOB = 'benchmarks';
/** Tenants per read batch: 100 × (1 + 4 queries) keeps each round trip and its response modest. */
const READ_CHUNK = 100;

/**
 * Computes the snapshots of the last complete month and quarter before `now` from the opted-in
 * tenants' rollups (never raw ratings) and replaces each period's snapshot atomically. The run is
 * recorded in job_runs; a failure marks it failed and leaves the previous snapshots in place.
 */
export async function runBenchmarkJob(
  env: Pick<Env, 'DATABASE_URL' | 'LOCAL_NEON_ENDPOINT' | 'HASH_SECRET'>,
  options: { trigger: JobRun['trigger']; now: Date },
): Promise<JobRun> {
  const db = createDatabase(env);
  const run = await startJobRun(db, { id: uuidv7(), job: BENCHMARK_JOB, trigger: options.trigger });
  const periods = lastCompletePeriods(options.now);
  const summary: Record<string, unknown> = { periods: [] as unknown[] };
  try {
    const participants = await readParticipants(db);
    summary.participants = participants.length;
    const participantsById = new Map(participants.map((participant) => [participant.tenantId, participant]));
    const key = await noiseKey(env.HASH_SECRET);
    const values = periods.map(() => [] as Contribution[]);
    for (let i = 0; i < participants.length; i += READ_CHUNK) {
      const chunk = participants.slice(i, i + READ_CHUNK);
      const totals = await readPeriodTotals(db, chunk.map((participant) => participant.tenantId), periods);
      for (const [t, participant] of chunk.entries()) {
        for (const [p, period] of periods.entries()) {
          const own = eligibleValues(totals[t]![p]!.external, totals[t]![p]!.internal);
          values[p]!.push({ participant, values: own, published: await publishedValues(key, period, participant.tenantId, own) });
        }
      }
    }
    for (const [p, period] of periods.entries()) {
      const result = computeBenchmark(values[p]!);
      const snapshotId = uuidv7();
      await replaceSnapshot(db, { id: snapshotId, period, jobRunId: run.id }, result, participantsById);
      (summary.periods as unknown[]).push({
        ...period,
        snapshotId,
        rankedOrganizations: values[p]!.filter((entry) => Object.keys(entry.values).length > 0).length,
        cohortStats: result.stats.length,
      });
    }
    return await finishJobRun(db, run.id, { status: 'succeeded', summary });
  } catch (error) {
    console.error(JSON.stringify({ level: 'error', message: 'benchmark job failed', jobRunId: run.id, error: String(error) }));
    return await finishJobRun(db, run.id, { status: 'failed', error: error instanceof Error ? error.message : String(error), summary });
  }
}
