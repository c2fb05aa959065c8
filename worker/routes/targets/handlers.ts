import type { RouteHandler } from '@hono/zod-openapi';
import * as store from '../../db/targets.ts';
import { latestMonth, periodSpan, scopeValue } from '../../domain/road.ts';
import type { AppEnv } from '../../env.ts';
import { actingOf, tenantOf } from '../../http/auth.ts';
import { type FieldError, ProblemError } from '../../http/problem.ts';
import type { ListTargetsRoute, PutTargetsRoute } from './routes.ts';
import { type PutTargets, targetView } from './schemas.ts';

const targetList = (rows: store.Target[]) => ({ data: rows.map(targetView) });

const WITHHELD: Record<string, string> = {
  'no-data': 'has no ratings to measure it',
  'too-few-respondents': 'is withheld: fewer than 5 respondents',
  complementary: 'is withheld: publishing it would single out fewer than 5 respondents',
  'period-open': 'is withheld: the period has not ended',
  'not-published': 'is not published',
};

function invalid(errors: FieldError[]): ProblemError {
  return new ProblemError('validation', `${errors.length} field${errors.length > 1 ? 's are' : ' is'} invalid: ${errors.map((e) => e.pointer).join(', ')}. ${errors.map((e) => e.detail).join('; ')}.`, { errors });
}

type Item = PutTargets['targets'][number];

/**
 * The changes to store: deadlines checked against today, and each baseline period resolved to the
 * measure's value in the target's scope (one round trip, only when a baseline is given).
 */
async function changesOf(db: AppEnv['Variables']['db'], tenantId: string, items: readonly Item[], now: Date): Promise<store.TargetChange[]> {
  const today = now.toISOString().slice(0, 10);
  const errors: FieldError[] = [];
  const spans = items.map((item, index) => {
    if (item.deadline && item.deadline <= today) errors.push({ location: 'body', pointer: `/targets/${index}/deadline`, detail: `The deadline must be after today (${today})` });
    if (item.target === null || !item.baseline) return null;
    const span = item.baseline === 'latest' ? latestMonth(now) : periodSpan(item.baseline.period)!;
    if (span.to > today) errors.push({ location: 'body', pointer: `/targets/${index}/baseline`, detail: `The baseline period ${span.from} – ${span.to} has not ended yet` });
    return span;
  });
  if (errors.length > 0) throw invalid(errors);
  const changes: store.TargetChange[] = items.map(({ measure, unitId, target, baseline, deadline }) => ({
    measure,
    unitId: unitId ?? null,
    target,
    ...(baseline !== undefined && { baseline: null }),
    ...(deadline !== undefined && { deadline }),
  }));
  const keyOf = (span: { from: string; to: string }) => `${span.from}/${span.to}`;
  const needed = [...new Map(spans.flatMap((span) => (span ? [[keyOf(span), span] as const] : []))).values()];
  if (needed.length === 0) return changes;
  const read = await store.readBaselineTotals(db, tenantId, needed, now);
  const known = new Set(read.units.map((unit) => unit.id));
  const unknown = [...new Set(changes.flatMap(({ unitId }) => (unitId !== null && !known.has(unitId) ? [unitId] : [])))];
  if (unknown.length > 0) throw new ProblemError('notFound', `No unit ${unknown.join(', ')} belongs to this tenant.`);
  spans.forEach((span, index) => {
    if (!span) return;
    const change = changes[index]!;
    const totals = read.totals[needed.findIndex((s) => keyOf(s) === keyOf(span))]!;
    const taken = scopeValue(change.measure, span, totals, { unitId: change.unitId, units: read.units }, read.disclosure);
    if (taken.value === null) {
      errors.push({ location: 'body', pointer: `/targets/${index}/baseline`, detail: `${change.measure} in ${span.from} – ${span.to} ${WITHHELD[taken.reason]}, so it cannot be a baseline` });
    } else change.baseline = { value: taken.value, from: span.from, to: span.to };
  });
  if (errors.length > 0) throw invalid(errors);
  return changes;
}

export const putTargets: RouteHandler<PutTargetsRoute, AppEnv> = async (c) => {
  const { targets } = c.req.valid('json');
  const tenantId = tenantOf(c.get('principal')).tenant.id;
  const db = c.get('db');
  const changes = await changesOf(db, tenantId, targets, new Date());
  const rows = await store.replaceTargets(db, tenantId, changes, actingOf(c));
  return c.json(targetList(rows), 200);
};

export const listTargets: RouteHandler<ListTargetsRoute, AppEnv> = async (c) => {
  const rows = await store.listTargets(c.get('db'), tenantOf(c.get('principal')).tenant.id);
  return c.json(targetList(rows), 200);
};
