import type { TARGET_SIDES } from '../../db/schema.ts';
import { subtree, type UnitNode } from './unit-tree.ts';
import { EMPTY_EXTERNAL_TOTALS, EMPTY_INTERNAL_TOTALS, type ExternalTotals, type InternalTotals, measureEntry, sumTotals } from './measure-registry.ts';
import { INTERNAL_MEASURES, type Measure, measureValue, MIN_GROUP_RESPONDENTS } from './measures.ts';

/*
 * `scorecard.target.crossed`, pure: which side of its target each measure is on over a trailing
 * window, and which targets changed side since the last evaluation.
 */

export type TargetSide = (typeof TARGET_SIDES)[number];

/** Days of the trailing window the daily evaluation reads, today included. */
export const TARGET_WINDOW_DAYS = 30;

export function sideOf(measure: Measure, value: number, target: number): TargetSide {
  // Where less is better (the registry's direction), a target is met at or below it.
  return (measureEntry(measure).direction === 'lower' ? value <= target : value >= target) ? 'met' : 'unmet';
}

/** The trailing window ending with `now`'s UTC day: start inclusive, end exclusive (YYYY-MM-DD). */
export function trailingWindow(now: Date, days = TARGET_WINDOW_DAYS): { start: string; end: string } {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { start: day(today - (days - 1) * 86_400_000), end: day(today + 86_400_000) };
}

/** The value a target is judged on; internal measures stay unevaluated below the privacy threshold (5 respondents). */
export function evaluatedValue(measure: Measure, external: ExternalTotals, internal: InternalTotals): number | null {
  if (INTERNAL_MEASURES.includes(measure) && internal.respondents < MIN_GROUP_RESPONDENTS) return null;
  const value = measureValue(measure, external, internal);
  return value !== null && Number.isFinite(value) ? value : null;
}

export interface TargetState {
  /** A unit's target (null or absent: tenant-wide). */
  unitId?: string | null;
  measure: Measure;
  target: number;
  lastSide: TargetSide | null;
}

export interface Evaluation {
  unitId: string | null;
  measure: Measure;
  target: number;
  value: number;
  side: TargetSide;
  previousSide: TargetSide | null;
  /** A change of side since the last evaluation; the first evaluation is a baseline, never a crossing. */
  crossed: boolean;
}

/**
 * Each target that has a value now; targets without one keep their last side. A tenant-wide target
 * is judged on the tenant's totals, a unit's on the external totals of its subtree (`unitExternal`):
 * never an internal measure of a unit, whose trailing window is no published cell (an event naming
 * its value would publish one).
 */
export function evaluateTargets(
  targets: readonly TargetState[],
  external: ExternalTotals,
  internal: InternalTotals,
  unitExternal: (unitId: string) => ExternalTotals = () => EMPTY_EXTERNAL_TOTALS,
): Evaluation[] {
  return targets.flatMap(({ unitId = null, measure, target, lastSide }) => {
    if (unitId !== null && INTERNAL_MEASURES.includes(measure)) return [];
    const value = unitId === null ? evaluatedValue(measure, external, internal) : evaluatedValue(measure, unitExternal(unitId), EMPTY_INTERNAL_TOTALS);
    if (value === null) return [];
    const side = sideOf(measure, value, target);
    return [{ unitId, measure, target, value, side, previousSide: lastSide, crossed: lastSide !== null && lastSide !== side }];
  });
}

/** The external totals of a unit and the units below it, from the tenant's totals per unit. */
export function subtreeExternal(rows: readonly (ExternalTotals & { unitId?: string })[], units: readonly UnitNode[]): (unitId: string) => ExternalTotals {
  return (unitId) => {
    const inside = subtree(units, unitId);
    return sumTotals(rows.filter((row) => inside.has(row.unitId!)), EMPTY_EXTERNAL_TOTALS);
  };
}
