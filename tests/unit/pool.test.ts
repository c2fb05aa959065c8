/**
 * The full 252-organization pool, generated in memory: its shape and the thesis' figures
 * (DOMAIN.md), computed here in plain TypeScript from the rows the loader would write.
 */
import { describe, expect, test } from 'vitest';
import { DEFAULT_POOL_SEED, generateOrganization, generatePool, type PoolOrganization, poolPeriod, POOL_ORGANIZATIONS } from '../../db/pool/generate.ts';

const NOW = new Date('2026-11-23T10:00:00Z');
const pool = [...generatePool(DEFAULT_POOL_SEED, NOW)];

/** Map.groupBy, which Node 20 lacks. */
function groupBy<T, K>(values: T[], key: (value: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const value of values) groups.set(key(value), [...(groups.get(key(value)) ?? []), value]);
  return groups;
}

const share = (part: number, whole: number) => part / whole;
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

function correlation(pairs: [number, number][]): number {
  const [mx, my] = [mean(pairs.map((p) => p[0])), mean(pairs.map((p) => p[1]))];
  const cov = pairs.reduce((t, [x, y]) => t + (x - mx) * (y - my), 0);
  const sx = Math.sqrt(pairs.reduce((t, [x]) => t + (x - mx) ** 2, 0));
  const sy = Math.sqrt(pairs.reduce((t, [, y]) => t + (y - my) ** 2, 0));
  return cov / (sx * sy);
}

/** Nearest-rank percentile of sorted values. */
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

function thesisFigures(organizations: PoolOrganization[]) {
  const external = organizations.flatMap((o) => o.external);
  const internal = organizations.flatMap((o) => o.internal);
  const dissatisfied = external.filter((r) => r.overall <= 2);
  const blames = dissatisfied.filter((r) => r.blames_attitude);
  const byUnit = groupBy(internal, (r) => r.unit_id);
  const favourable = new Set([...byUnit].filter(([, rows]) => share(rows.filter((r) => r.willingness >= 4).length, rows.length) > 0.5).map(([unit]) => unit));
  const blameOf = (kind: string) => {
    const rows = dissatisfied.filter((r) => r.customer_kind === kind);
    return share(rows.filter((r) => r.blames_attitude).length, rows.length);
  };
  const willingness = (band: string) => mean(internal.filter((r) => r.tenure_band === band).map((r) => r.willingness));
  const externalByUnit = groupBy(external, (r) => r.unit_id);
  const links: [number, number][] = [];
  for (const [unit, rows] of externalByUnit) {
    const staff = byUnit.get(unit) ?? [];
    if (staff.length < 5 || rows.length < 30) continue;
    const supportIndex = mean(staff.map((r) => (r.commitments + r.internal_culture + r.empowerment + r.recognition + r.leadership_support) / 5));
    links.push([supportIndex, share(rows.filter((r) => r.overall >= 4).length, rows.length)]);
  }
  const orgCsat = organizations.map((o) => share(o.external.filter((r) => r.overall >= 4).length, o.external.length)).sort((a, b) => a - b);
  return {
    blameShare: share(blames.length, dissatisfied.length),
    blamesWhereWilling: share(blames.filter((r) => favourable.has(r.unit_id)).length, blames.length),
    occasionalBlame: blameOf('occasional'),
    recurringBlame: blameOf('recurring'),
    newWillingness: willingness('new'),
    establishedWillingness: willingness('established'),
    serviceProfitLink: correlation(links),
    linkedUnits: links.length,
    orgCsatP10: percentile(orgCsat, 10),
    orgCsatP90: percentile(orgCsat, 90),
  };
}

describe('the full pool', () => {
  test('has the study’s shape: 252 organizations, about 10,000 employees, four complete quarters', () => {
    expect(pool).toHaveLength(POOL_ORGANIZATIONS);
    const employees = pool.reduce((t, o) => t + o.employees, 0);
    console.log(`pool: ${employees} employees, ${pool.reduce((t, o) => t + o.external.length, 0)} external and ${pool.reduce((t, o) => t + o.internal.length, 0)} internal ratings`);
    expect(employees).toBeGreaterThan(9_500);
    expect(employees).toBeLessThan(10_500);
    const { from, to } = poolPeriod(NOW);
    expect(from.toISOString()).toBe('2025-10-01T00:00:00.000Z');
    expect(to.toISOString()).toBe('2026-11-23T00:00:00.000Z');
    for (const o of pool) {
      for (const r of o.external) expect(new Date(r.occurred_at) >= from && new Date(r.occurred_at) < to).toBe(true);
      for (const r of o.internal) expect(r.occurred_on >= '2025-10-01' && r.occurred_on < '2026-11-23').toBe(true);
    }
    // Most organizations have enough answers to be benchmarked monthly (30 external / 10 internal).
    const month = (o: PoolOrganization) => [o.external.filter((r) => r.occurred_at.startsWith('2026-10')).length, o.internal.filter((r) => r.occurred_on.startsWith('2026-10')).length];
    const ranked = pool.filter((o) => month(o)[0]! >= 30 && month(o)[1]! >= 10);
    expect(ranked.length / pool.length).toBeGreaterThan(0.75);
    expect(pool.filter((o) => o.tenant.benchmarkOptIn).length / pool.length).toBeGreaterThan(0.9);
    for (const cohort of ['industry', 'sizeBand', 'region'] as const) {
      const sizes = [...groupBy(pool, (o) => o.tenant[cohort]).values()].map((g) => g.length);
      expect(Math.min(...sizes), cohort).toBeGreaterThanOrEqual(5);
    }
  });

  test('shows the thesis', () => {
    const figures = thesisFigures(pool);
    console.log('pool calibration:', JSON.stringify(figures, (_, v) => (typeof v === 'number' ? Number(v.toFixed(3)) : v)));
    expect(Math.abs(figures.blameShare - 0.91)).toBeLessThan(0.02);
    expect(Math.abs(figures.blamesWhereWilling - 0.77)).toBeLessThan(0.03);
    expect(figures.recurringBlame).toBeLessThan(0.2);
    expect(figures.occasionalBlame - figures.recurringBlame).toBeGreaterThan(0.6);
    expect(figures.newWillingness - figures.establishedWillingness).toBeGreaterThan(0.2);
    expect(figures.serviceProfitLink).toBeGreaterThan(0.3);
    expect(figures.orgCsatP90 - figures.orgCsatP10).toBeGreaterThanOrEqual(0.15);
  });

  test('is the same for the same seed, and its first organizations do not depend on its size', () => {
    expect(generateOrganization(DEFAULT_POOL_SEED, 7, NOW)).toEqual(pool[7]);
    expect(generateOrganization(DEFAULT_POOL_SEED + 1, 7, NOW).tenant.id).not.toBe(pool[7]!.tenant.id);
  });
});
