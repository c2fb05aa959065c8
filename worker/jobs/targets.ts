import { readPeriodTotals } from '../db/benchmarks.ts';
import { createDatabase } from '../db/client.ts';
import { readTargetsOf, readTenantsWithTargets, recordEvaluations } from '../db/targets.ts';
import { evaluateTargets, subtreeExternal, trailingWindow } from '../domain/target-crossings.ts';
import type { Env } from '../env.ts';

/** Tenants per round trip: their totals are a row of about 1.5 KiB each, their targets a few rows. */
const CHUNK = 100;

/**
 * Daily, after the benchmarks: each tenant's targets against its measures over the trailing 30
 * days (from rollups, never raw ratings); a target that changed side since the last evaluation
 * emits `scorecard.target.crossed`. Daily rather than on every rating write: a rating write stays
 * one cheap batch, and a measure hovering at its target crosses at most once a day, not on every
 * rating. Three round trips per 100 tenants with targets.
 */
export async function runTargetCrossings(env: Pick<Env, 'DATABASE_URL' | 'LOCAL_NEON_ENDPOINT'>, { now }: { now: Date }) {
  const db = createDatabase(env);
  const window = trailingWindow(now);
  const tenantIds = await readTenantsWithTargets(db);
  let crossings = 0;
  for (let i = 0; i < tenantIds.length; i += CHUNK) {
    const chunk = tenantIds.slice(i, i + CHUNK);
    const [totals, targets] = await Promise.all([readPeriodTotals(db, 'targets', chunk, [window]), readTargetsOf(db, chunk, window)]);
    const evaluations = chunk.map((tenantId, t) => ({
      tenantId,
      evaluations: evaluateTargets(targets[t]!.targets, totals[t]![0]!.external, totals[t]![0]!.internal, subtreeExternal(targets[t]!.unitExternal, targets[t]!.units)),
    }));
    crossings += await recordEvaluations(db, evaluations, { now, window });
  }
  return { tenants: tenantIds.length, crossings };
}
