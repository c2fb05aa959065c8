import type { RouteHandler } from '@hono/zod-openapi';
import { inTenant } from '../../db/client.ts';
import { disclosureOf, disclosureQueries } from '../../db/disclosure.ts';
import {
  EMPTY_EXTERNAL_TOTALS,
  EMPTY_INTERNAL_TOTALS,
  type ExternalTotals,
  type ExternalTotalsRow,
  externalTotals,
  type InternalTotals,
  type InternalTotalsRow,
  internalTotals,
  sumTotals,
} from '../../db/rollup-totals.ts';
import { reportsVersionQuery, versionOf } from '../../db/report-versions.ts';
import { roadTotalsQueries, targetsQuery } from '../../db/targets.ts';
import { subtreeIdsQuery } from '../../db/units.ts';
import { type Decision, type Disclosure, monthStart, ROLE_VALUES, type Split, TENURE_BAND_VALUES } from '../../domain/disclosure.ts';
import { hasStandardError, type Measure, measureEntry, scorecardMeasures } from '../../domain/measure-registry.ts';
import { type RoadPoint, roadOf, type Span } from '../../domain/road.ts';
import { targetView } from '../targets/schemas.ts';
import { changeOf } from '../../domain/change.ts';
import { externalMeasures, internalMeasures, measureValue, pointOf } from '../../domain/measures.ts';
import type { MeanEstimate, NetScore, ShareEstimate } from '../../domain/statistics.ts';
import type { AppEnv } from '../../env.ts';
import { tenantOf } from '../../http/auth.ts';
import { conditionalHeaders, entityTag, ifNoneMatch, notModified } from '../../http/etag.ts';
import { ProblemError } from '../../http/problem.ts';
import { holds, type Period, planPeriods } from './periods.ts';
import type { GetScorecardRoute } from './routes.ts';
import type { ExternalFigures, InternalFigures, Suppressed } from './schemas.ts';

type Estimate = MeanEstimate | ShareEstimate | NetScore;
/** A figure before presentation: its estimate (null when empty) or why it is withheld. */
type Raw = Estimate | null | Suppressed;

const isSuppressed = (raw: Raw): raw is Suppressed => raw !== null && 'suppressed' in raw;
const valueOf = (raw: Raw | undefined) => (raw == null || isSuppressed(raw) ? null : pointOf(raw));

const EXTERNAL_FIGURES = scorecardMeasures('external');
/** The triad's other two answers are figures too, though no measure of their own. */
const INTERNAL_FIGURES = ['knowledge', 'ability', ...scorecardMeasures('internal')] as const;
type FigureKey = (typeof EXTERNAL_FIGURES)[number] | (typeof INTERNAL_FIGURES)[number];

/** A figure with its uncertainty, gap to target and trend against `previous`. */
function present(key: FigureKey, raw: Raw, previous: Raw | undefined, target: number | undefined) {
  if (raw !== null && isSuppressed(raw)) return raw;
  const value = valueOf(raw);
  const before = valueOf(previous);
  return {
    value,
    n: raw?.n ?? 0,
    ...(key === 'knowledge' || key === 'ability' || hasStandardError(key)
      ? { standardError: raw && 'standardError' in raw ? raw.standardError : null }
      : { interval: raw && 'interval' in raw ? raw.interval : null }),
    target: target ?? null,
    gap: value !== null && target !== undefined ? value - target : null,
    trend: value !== null && before !== null ? value - before : null,
    change: changeSummary(raw, previous),
  };
}

/** Whether the trend is a real movement: its 95% interval and significance (worker/domain/change.ts). */
function changeSummary(raw: Raw, previous: Raw | undefined) {
  if (raw === null || previous == null || isSuppressed(raw) || isSuppressed(previous)) return null;
  const change = changeOf(raw, previous);
  return change && { interval: change.interval, significant: change.significant, test: change.test, pValue: change.pValue };
}

type Targets = ReadonlyMap<string, number>;

function rawExternal(totals: ExternalTotals): Record<(typeof EXTERNAL_FIGURES)[number], Raw> {
  const measures = externalMeasures(totals);
  return Object.fromEntries(EXTERNAL_FIGURES.map((key) => [key, measures[key]])) as Record<(typeof EXTERNAL_FIGURES)[number], Raw>;
}

function externalFigures(totals: ExternalTotals, previous: ExternalTotals, targets: Targets): ExternalFigures {
  const [raw, before] = [rawExternal(totals), rawExternal(previous)];
  const figures = Object.fromEntries(EXTERNAL_FIGURES.map((key) => [key, present(key, raw[key], before[key], targets.get(key))]));
  return { ratings: totals.ratings, ...figures } as ExternalFigures;
}

type InternalRaw = Record<(typeof INTERNAL_FIGURES)[number], Raw> & { respondents: number | Suppressed; weakestRootCause: InternalFigures['weakestRootCause'] };

function rawInternal(totals: InternalTotals, suppressed: Suppressed | undefined): InternalRaw {
  const measures = internalMeasures(totals);
  const hide = <T>(value: T) => suppressed ?? value;
  return {
    respondents: hide(measures.respondents),
    weakestRootCause: hide(measures.weakestRootCause),
    ...(Object.fromEntries(INTERNAL_FIGURES.map((key) => [key, hide(measures[key])])) as Record<(typeof INTERNAL_FIGURES)[number], Raw>),
  };
}

function internalFigures(raw: InternalRaw, before: InternalRaw, targets: Targets): InternalFigures {
  const figures = Object.fromEntries(INTERNAL_FIGURES.map((key) => [key, present(key, raw[key], before[key], targets.get(key))]));
  return { respondents: raw.respondents, weakestRootCause: raw.weakestRootCause, ...figures } as InternalFigures;
}

/** A road point of `span`: its value, or no data. */
const roadPoint = (span: Span, value: number | null): RoadPoint => (value === null ? { ...span, value, reason: 'no-data' } : { ...span, value });

/**
 * A measure's value in each ended month of the scope since its targets' earliest baseline (one row a
 * month, worker/db/targets.ts): what a target's pace is fitted on, whatever periods were asked for.
 * An internal month counts only where the disclosure rule publishes its cell.
 */
function monthlyPoints(
  measure: Measure,
  external: readonly ExternalTotalsRow[],
  internal: readonly InternalTotalsRow[],
  disclosure: Pick<Disclosure, 'decide'>,
  unitId: string | null,
): RoadPoint[] {
  const span = (from: string) => ({ from, to: monthStart(new Date(`${from}T00:00:00Z`), 1) });
  if (measureEntry(measure).side === 'internal') {
    return internal.map((row) => {
      const period = span(row.bucket!);
      const decision = disclosure.decide({ period: { kind: 'month', ...period }, unitId });
      return decision.published ? roadPoint(period, measureValue(measure, EMPTY_EXTERNAL_TOTALS, row)) : { ...period, value: null, reason: decision.reason };
    });
  }
  return external.map((row) => roadPoint(span(row.bucket!), measureValue(measure, row, EMPTY_INTERNAL_TOTALS)));
}

/** Weeks straddle months, so their internal figures are never published (see worker/domain/disclosure.ts). */
const WEEKS_WITHHELD: Decision = { published: false, reason: 'not-published' };

export const getScorecard: RouteHandler<GetScorecardRoute, AppEnv> = async (c) => {
  const query = c.req.valid('query');
  const { tenant } = tenantOf(c.get('principal'));
  const now = new Date();
  const plan = planPeriods(query, now);
  const all: Period[] = [plan.previous, ...plan.periods];
  const range = { tenantId: tenant.id, from: plan.previous.from, to: plan.periods.at(-1)!.to, bucket: plan.bucket };
  const db = c.get('db');
  const byKind = query.split === 'customerKind';
  const internalSplit = query.split === 'tenureBand' || query.split === 'role' ? query.split : undefined;
  // The answer follows today's date as well as the data: the periods, which months have ended, and
  // whether a target's deadline has passed (its pace), so the tag changes daily.
  const tagOf = async (version: ReturnType<typeof versionOf>) =>
    entityTag(c, `${tenant.id}:${range.from}:${range.to}:${now.toISOString().slice(0, 10)}:${version}`);
  if (c.req.header('If-None-Match') !== undefined) {
    const [version] = await inTenant(db, tenant.id, [reportsVersionQuery(db, tenant.id)]);
    const etag = await tagOf(versionOf(version));
    if (ifNoneMatch(c, etag)) return notModified(c, etag);
  }
  // Summed in SQL over the scope (a subtree, or the tenant) per bucket and split value: a few rows per
  // period whatever the number of units, under Neon's 10 MiB answer (tests/api/request-size.test.ts).
  const scope = query.unitId ? { unitsIn: subtreeIdsQuery(tenant.id, query.unitId) } : {};
  // One round trip: the figures, the targets, the data's version, the months the targets' pace is fitted on, the tree and the stored disclosure plan.
  const [externalRows, internalRows, targetRows, version, roadExternal, roadInternal, ...disclosureRows] = await inTenant(db, tenant.id, [
    externalTotals(db, { ...range, ...scope, groupBy: byKind ? ['customerKind'] : [] }),
    internalTotals(db, { ...range, ...scope, groupBy: internalSplit ? [internalSplit] : [] }),
    targetsQuery(db, tenant.id),
    reportsVersionQuery(db, tenant.id),
    ...roadTotalsQueries(db, tenant.id, query.unitId ?? null, now),
    ...disclosureQueries(db, tenant.id, now),
  ]);
  const unitRows = disclosureRows[0];
  const etag = await tagOf(versionOf(version));
  if (query.unitId && !unitRows.some((unit) => unit.id === query.unitId)) {
    throw new ProblemError('notFound', `There is no unit ${query.unitId}.`);
  }
  const scopeUnit = query.unitId ?? null;
  // A unit's own target stands before the tenant's in its figures: rows come tenant-wide first, so it is set last.
  const targets: Targets = new Map(
    targetRows.filter((row) => row.unitId === null || row.unitId === scopeUnit).map((row) => [row.measure, row.target] as const),
  );

  const external = externalRows as ExternalTotalsRow[];
  const internal = internalRows as InternalTotalsRow[];
  const rowsIn = <R extends { bucket?: string }>(rows: readonly R[], period: Period) => rows.filter((row) => holds(period, row.bucket!));
  const externalIn = (period: Period, kind?: string) =>
    sumTotals(rowsIn(external, period).filter((row) => !kind || row.customerKind === kind), EMPTY_EXTERNAL_TOTALS);

  const disclosure = await disclosureOf(db, tenant.id, now, disclosureRows);
  const { kind } = plan;
  /** Each period's internal figures (oldest first, the trend's base included), of one split value or all. */
  const internalRawOf = (split?: Split) =>
    all.map((period) => {
      const decision = kind === 'week' ? WEEKS_WITHHELD : disclosure.decide({ period: { kind, ...period }, unitId: query.unitId ?? null, ...(split && { split }) });
      const withheld: Suppressed | undefined = decision.published ? undefined : { suppressed: true, reason: decision.reason };
      const rows = rowsIn(internal, period).filter((row) => !split || row[split.dimension] === split.value);
      return rawInternal(sumTotals(rows, EMPTY_INTERNAL_TOTALS), withheld);
    });
  const internalRaw = internalRawOf();
  const splitRaw = (values: readonly string[], dimension: Split['dimension']) =>
    values.map((value) => [value, internalRawOf({ dimension, value } as Split)] as const);
  const internalSplits = internalSplit === 'tenureBand' ? splitRaw(TENURE_BAND_VALUES, 'tenureBand') : internalSplit === 'role' ? splitRaw(ROLE_VALUES, 'role') : [];

  const periods = plan.periods.map((period, index) => {
    const previous = all[index]!;
    return {
      ...period,
      external: externalFigures(externalIn(period), externalIn(previous), targets),
      internal: internalFigures(internalRaw[index + 1]!, internalRaw[index]!, targets),
      ...(internalSplit && {
        [internalSplit === 'tenureBand' ? 'byTenureBand' : 'byRole']: Object.fromEntries(
          internalSplits.map(([value, raw]) => [value, internalFigures(raw[index + 1]!, raw[index]!, targets)]),
        ),
      }),
      ...(byKind && {
        byCustomerKind: {
          occasional: externalFigures(externalIn(period, 'occasional'), externalIn(previous, 'occasional'), targets),
          recurring: externalFigures(externalIn(period, 'recurring'), externalIn(previous, 'recurring'), targets),
        },
      }),
    };
  });
  /** A measure's value in each period of the scope: what the road of its target is drawn through. */
  const pointsOf = (measure: Measure): RoadPoint[] =>
    plan.periods.map((period, index) => {
      if (measureEntry(measure).side === 'internal') {
        const raw = internalRaw[index + 1]![measure as (typeof INTERNAL_FIGURES)[number]];
        return raw !== null && isSuppressed(raw) ? { ...period, value: null, reason: raw.reason } : roadPoint(period, valueOf(raw));
      }
      return roadPoint(period, measureValue(measure, externalIn(period), EMPTY_INTERNAL_TOTALS));
    });
  const roads = targetRows
    .filter((row) => row.unitId === scopeUnit)
    .map((row) => {
      const { target, baseline, deadline } = targetView(row);
      const monthly = monthlyPoints(row.measure, roadExternal as ExternalTotalsRow[], roadInternal as InternalTotalsRow[], disclosure, scopeUnit);
      return { measure: row.measure, unitId: row.unitId, target, baseline, deadline, ...roadOf({ measure: row.measure, target, baseline, deadline, points: pointsOf(row.measure), monthly, now }) };
    });
  return c.json({ interval: query.interval, unitId: scopeUnit, periods, targets: roads }, 200, conditionalHeaders(etag));
};
