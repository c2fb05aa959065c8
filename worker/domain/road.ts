import { subtree } from './unit-tree.ts';
import type { Disclosure, DisclosurePeriod, WithheldReason } from './disclosure.ts';
import {
  EMPTY_EXTERNAL_TOTALS,
  EMPTY_INTERNAL_TOTALS,
  type ExternalTotals,
  type InternalTotals,
  measureEntry,
  type Measure,
  sumTotals,
} from './measure-registry.ts';
import { measureValue } from './measures.ts';

/*
 * The road travelled and the road left (the seed's dashboard), pure: from a target's baseline, the
 * measure's values since, its target and its deadline.
 */

/** Days 'YYYY-MM-DD': `from` inclusive, `to` exclusive. */
export interface Span {
  from: string;
  to: string;
}

/** A period's value, or why there is none: withheld by the disclosure rule, or nothing to measure. */
export type RoadPoint = Span & ({ value: number } | { value: null; reason: WithheldReason | 'no-data' });

export interface RoadInput {
  measure: Measure;
  target: number;
  baseline: (Span & { value: number }) | null;
  /** 'YYYY-MM-DD': the target should be met on that day. */
  deadline: string | null;
  /** The scope's values per period, oldest first (a scorecard's periods): where `current` is read. */
  points: readonly RoadPoint[];
  /**
   * The scope's values per ended month since the baseline, oldest first: what the pace is fitted on,
   * so that a target reads the same pace whatever periods the scorecard shows.
   */
  monthly: readonly RoadPoint[];
  now: Date;
}

export type PaceStatus = 'on-pace' | 'off-pace' | 'deadline-passed' | 'no-deadline' | 'too-few-points';

export interface Pace {
  status: PaceStatus;
  /** 'regression': least squares through the baseline and every monthly value after it; 'linear': the baseline and one month. */
  method: 'regression' | 'linear' | null;
  /** Values the pace is drawn through, the baseline included. */
  points: number;
  /** Change per month (30.44 days) in the measure's unit; null with fewer than 2 points. */
  perMonth: number | null;
  /** Where the pace leads by the deadline, within the measure's scale; null without a future deadline. */
  projected: number | null;
}

export interface Road {
  /** The latest period after the baseline with a value; null when none has one. */
  current: (Span & { value: number }) | null;
  /** Why `current` is null: the latest period's withholding reason, or `no-data`. */
  currentReason: WithheldReason | 'no-data' | 'no-periods' | null;
  /** The target is met (at or beyond it, in the measure's better direction). */
  reached: boolean | null;
  /** current − baseline, signed as the measure's scale reads (negative is progress where lower is better). */
  travelled: number | null;
  /** How far the current value still is from the target, in the better direction; 0 once reached. */
  left: number | null;
  /** travelled / (target − baseline): 1 at the target, above 1 past it, below 0 when it went backwards; null when the baseline already met the target. */
  share: number | null;
  pace: Pace;
}

const DAY_MS = 86_400_000;
const MONTH_DAYS = 365.25 / 12;
const days = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY_MS;
/** A period stands at its middle day. */
const midpoint = (span: Span) => (days(span.from) + days(span.to)) / 2;

/** +1 where higher is better, −1 where lower is. */
export const betterSign = (measure: Measure) => (measureEntry(measure).direction === 'lower' ? -1 : 1);

/** Least squares through (x, y): slope and intercept; two points give the line through them. */
export function fitLine(points: readonly { x: number; y: number }[]): { slope: number; intercept: number } | null {
  if (points.length < 2) return null;
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

export function roadOf({ measure, target, baseline, deadline, points, monthly, now }: RoadInput): Road {
  const sign = betterSign(measure);
  const { min, max } = measureEntry(measure).scale;
  // Only what came after the baseline counts as the road travelled.
  const after = baseline ? points.filter((p) => p.from >= baseline.to) : points;
  const valued = after.filter((p): p is Span & { value: number } => p.value !== null);
  const current = valued.at(-1) ?? null;
  const last = after.at(-1);
  const currentReason = current ? null : !last ? 'no-periods' : last.value === null ? last.reason : 'no-data';
  const reached = current ? sign * (current.value - target) >= 0 : null;
  const travelled = current && baseline ? current.value - baseline.value : null;
  const left = current ? Math.max(0, sign * (target - current.value)) : null;
  const road = baseline ? target - baseline.value : null;
  const share = travelled !== null && road !== null && sign * road > 0 ? travelled / road : null;

  const months = baseline ? monthly.filter((p): p is Span & { value: number } => p.from >= baseline.to && p.value !== null) : [];
  const line = baseline ? [baseline, ...months].map((p) => ({ x: midpoint(p), y: p.value })) : [];
  const fit = fitLine(line);
  const today = now.getTime() / DAY_MS;
  const base = { method: fit ? (line.length > 2 ? 'regression' : 'linear') : null, points: line.length, perMonth: fit ? fit.slope * MONTH_DAYS : null } as const;
  let pace: Pace;
  if (deadline === null) pace = { status: 'no-deadline', ...base, projected: null };
  else if (days(deadline) <= today) pace = { status: 'deadline-passed', ...base, projected: null };
  else if (!fit) pace = { status: 'too-few-points', ...base, projected: null };
  else {
    const projected = Math.min(max, Math.max(min, fit.intercept + fit.slope * days(deadline)));
    pace = { status: sign * (projected - target) >= 0 ? 'on-pace' : 'off-pace', ...base, projected };
  }
  return { current, currentReason, reached, travelled, left, share, pace };
}

/** A whole month ('2026-01') or quarter ('2026-Q1') as days; null if it is neither. */
export function periodSpan(period: string): (Span & { kind: 'month' | 'quarter' }) | null {
  const match = /^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$/.exec(period);
  if (!match) return null;
  const year = Number(match[1]);
  const first = match[2] ? Number(match[2]) - 1 : (Number(match[3]) - 1) * 3;
  const length = match[2] ? 1 : 3;
  const day = (month: number) => new Date(Date.UTC(year, month, 1)).toISOString().slice(0, 10);
  return { kind: match[2] ? 'month' : 'quarter', from: day(first), to: day(first + length) };
}

/** The last month that has ended by `now`: the baseline `latest` stands for. */
export function latestMonth(now: Date): Span & { kind: 'month' } {
  const day = (month: number) => new Date(Date.UTC(now.getUTCFullYear(), month, 1)).toISOString().slice(0, 10);
  return { kind: 'month', from: day(now.getUTCMonth() - 1), to: day(now.getUTCMonth()) };
}

/** Rollup rows of one period, per unit. */
export interface ScopeTotals {
  external: readonly (ExternalTotals & { unitId?: string })[];
  internal: readonly (InternalTotals & { unitId?: string })[];
}

/**
 * A measure's value over a whole period in a scope (a unit and the units below it, or the tenant):
 * what a baseline is taken from. An internal measure has one only where the disclosure rule
 * publishes the cell, so a baseline never reveals what the scorecard withholds.
 */
export function scopeValue(
  measure: Measure,
  period: DisclosurePeriod,
  totals: ScopeTotals,
  scope: { unitId: string | null; units: readonly { id: string; parentId: string | null }[] },
  disclosure: Pick<Disclosure, 'decide'>,
): { value: number } | { value: null; reason: WithheldReason | 'no-data' } {
  if (measureEntry(measure).side === 'internal') {
    const decision = disclosure.decide({ period, unitId: scope.unitId });
    if (!decision.published) return { value: null, reason: decision.reason };
  }
  const inside = scope.unitId === null ? null : subtree(scope.units, scope.unitId);
  const rows = <R extends { unitId?: string }>(list: readonly R[]) => (inside ? list.filter((row) => inside.has(row.unitId!)) : list);
  const value = measureValue(measure, sumTotals(rows(totals.external), EMPTY_EXTERNAL_TOTALS), sumTotals(rows(totals.internal), EMPTY_INTERNAL_TOTALS));
  return value === null || !Number.isFinite(value) ? { value: null, reason: 'no-data' } : { value };
}
