/**
 * The reference pool's calibration: each figure the pool is built to show, its target, where the
 * target comes from, and the value the generated pool has. `npm run pool:calibration` prints the
 * table (db/pool/README.md holds a copy); tests/unit/pool-calibration.test.ts checks every value is
 * inside its target.
 */
import { pathToFileURL } from 'node:url';
import { EMPTY_EXTERNAL_TOTALS, EMPTY_INTERNAL_TOTALS } from '../../worker/db/rollup-totals.ts';
import { eligibleValues, lastCompletePeriod, type PeriodKind } from '../../worker/domain/benchmarks.ts';
import { percentile } from '../../worker/domain/statistics.ts';
import { DEFAULT_POOL_SEED, generatePool, type PoolOrganization } from './generate.ts';

export interface CalibrationTarget {
  figure: string;
  /** Inclusive bounds of the generated value. */
  low: number;
  high: number;
  source: string;
}

export const CALIBRATION_TARGETS = {
  blameShare: {
    figure: 'Share of dissatisfied customers (overall ≤ 2) who blame attitude',
    low: 0.89,
    high: 0.93,
    source: 'Seed article (DOMAIN.md, thesis 1): over 90% blame the employee’s attitude; ≈ 91%',
  },
  blamesWhereWilling: {
    figure: 'Share of those blames in units whose staff are mostly willing (willingness ≥ 4)',
    low: 0.74,
    high: 0.8,
    source: 'Seed article (thesis 2): 252 organizations, 10,000+ employees, 13 years: 77.3%',
  },
  recurringBlame: {
    figure: 'Share of dissatisfied recurring customers who blame attitude',
    low: 0,
    high: 0.2,
    source: 'Seed article (thesis 4): regular customers blame attitude far less (the 9%)',
  },
  blameGap: {
    figure: 'Occasional − recurring customers’ attitude-blame share',
    low: 0.6,
    high: 1,
    source: 'Seed article (thesis 4)',
  },
  willingnessDecay: {
    figure: 'Willingness of new − established staff (1-5)',
    low: 0.2,
    high: 1,
    source: 'Seed article (thesis 3): newer staff start strong and decline',
  },
  serviceProfitLink: {
    figure: 'Unit-level r between support index and CSAT (units with ≥ 5 staff and ≥ 30 ratings)',
    low: 0.3,
    high: 0.45,
    source:
      'Harter, Schmidt & Hayes (2002), J. Applied Psychology 87(2), 268-279: business-unit r = .32 (employee satisfaction) and .33 (engagement) ' +
      'with customer satisfaction–loyalty, corrected for measurement error; the pool’s r is observed, with sampling error in both unit means',
  },
  medianEnps: {
    figure: 'Median organization eNPS over the pool’s period',
    low: -10,
    high: 30,
    source:
      'CultureMonkey, “eNPS benchmark” (culturemonkey.io/employee-engagement/enps-benchmark): 10 to 30 good, below 0 widespread dissatisfaction; ' +
      'issue 17 puts typical organizations between −10 and +30',
  },
  blameP90Month: {
    figure: 'p90 of organizations’ attitude-blame share as benchmarked (organizations with ≥ 10 dissatisfied ratings, posterior means, no noise), last complete month',
    low: 0,
    high: 0.99,
    source: 'Issue 14, done when: the blame benchmark’s p90 on the reference pool is below 1 (a p90 of 1 says nothing about the top 10%)',
  },
  blameP90Quarter: {
    figure: 'p90 of organizations’ attitude-blame share, last complete quarter (as above)',
    low: 0,
    high: 0.99,
    source: 'Issue 14, as above',
  },
  blameP90Rolling12: {
    figure: 'p90 of organizations’ attitude-blame share, last 12 whole months (as above)',
    low: 0,
    high: 0.99,
    source: 'Issue 14, as above',
  },
} as const satisfies Record<string, CalibrationTarget>;

export type CalibrationFigure = keyof typeof CALIBRATION_TARGETS;

/** Map.groupBy, which Node 20 lacks. */
function groupBy<T>(values: readonly T[], key: (value: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const value of values) {
    const group = groups.get(key(value));
    if (group) group.push(value);
    else groups.set(key(value), [value]);
  }
  return groups;
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const share = <T>(rows: readonly T[], test: (row: T) => boolean) => rows.filter(test).length / rows.length;

function correlation(xs: readonly number[], ys: readonly number[]): number {
  const [mx, my] = [mean(xs), mean(ys)];
  let [sxy, sxx, syy] = [0, 0, 0];
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i]! - my);
    sxx += (x - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}

/**
 * The p90 of the blame shares of the organizations the benchmark counts for the last complete
 * period of `kind` at `now`, as the benchmark takes them (its eligibility rule and posterior mean),
 * before any noise is added.
 */
function blameP90(organizations: readonly PoolOrganization[], kind: PeriodKind, now: Date): number {
  const { start, end } = lastCompletePeriod(kind, now);
  const shares = organizations
    .flatMap((o) => {
      const ratings = o.external.filter((r) => r.occurred_at >= `${start}T` && r.occurred_at < `${end}T`);
      const dissatisfied = ratings.filter((r) => r.overall <= 2);
      const external = { ...EMPTY_EXTERNAL_TOTALS, ratings: ratings.length, dissatisfied: dissatisfied.length, dissatisfiedBlamingAttitude: dissatisfied.filter((r) => r.blames_attitude).length };
      const share = eligibleValues(external, EMPTY_INTERNAL_TOTALS).attitudeBlameShare;
      return share === undefined ? [] : [share];
    })
    .sort((a, b) => a - b);
  return percentile(shares, 0.9) ?? Number.NaN;
}

/** Each calibration figure of the organizations (generated as of `now`), from the rows the loader would write. */
export function poolCalibration(organizations: readonly PoolOrganization[], now: Date): Record<CalibrationFigure, number> {
  const external = organizations.flatMap((o) => o.external);
  const internal = organizations.flatMap((o) => o.internal);
  const staffOf = groupBy(internal, (r) => r.unit_id);
  const clientsOf = groupBy(external, (r) => r.unit_id);
  const willingUnits = new Set([...staffOf].filter(([, rows]) => share(rows, (r) => r.willingness >= 4) > 0.5).map(([unit]) => unit));
  const dissatisfied = external.filter((r) => r.overall <= 2);
  const blames = dissatisfied.filter((r) => r.blames_attitude);
  const blameOf = (kind: string) => share(dissatisfied.filter((r) => r.customer_kind === kind), (r) => r.blames_attitude === true);
  const willingness = (band: string) => mean(internal.filter((r) => r.tenure_band === band).map((r) => r.willingness));
  const supportIndexes: number[] = [];
  const csats: number[] = [];
  for (const [unit, clients] of clientsOf) {
    const staff = staffOf.get(unit) ?? [];
    if (staff.length < 5 || clients.length < 30) continue;
    supportIndexes.push(mean(staff.map((r) => (r.commitments + r.internal_culture + r.empowerment + r.recognition + r.leadership_support) / 5)));
    csats.push(share(clients, (r) => r.overall >= 4));
  }
  const enps = organizations
    .map((o) => o.internal.flatMap((r) => (r.recommend_employer == null ? [] : [r.recommend_employer])))
    .filter((answers) => answers.length > 0)
    .map((answers) => 100 * (share(answers, (a) => a >= 9) - share(answers, (a) => a <= 6)))
    .sort((a, b) => a - b);
  const middle = enps.length / 2;
  return {
    blameShare: blames.length / dissatisfied.length,
    blamesWhereWilling: share(blames, (r) => willingUnits.has(r.unit_id)),
    recurringBlame: blameOf('recurring'),
    blameGap: blameOf('occasional') - blameOf('recurring'),
    willingnessDecay: willingness('new') - willingness('established'),
    serviceProfitLink: correlation(supportIndexes, csats),
    medianEnps: enps.length % 2 ? enps[Math.floor(middle)]! : (enps[middle - 1]! + enps[middle]!) / 2,
    blameP90Month: blameP90(organizations, 'month', now),
    blameP90Quarter: blameP90(organizations, 'quarter', now),
    blameP90Rolling12: blameP90(organizations, 'rolling12', now),
  };
}

/** The calibration table in Markdown: figure, target, source, generated value. */
export function calibrationTable(values: Record<CalibrationFigure, number>): string {
  const format = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(3));
  const lines = ['| Figure | Target | Source | Generated |', '|---|---|---|---|'];
  for (const [key, target] of Object.entries(CALIBRATION_TARGETS) as [CalibrationFigure, CalibrationTarget][]) {
    const value = values[key];
    const inside = value >= target.low && value <= target.high;
    lines.push(`| ${target.figure} | ${format(target.low)} to ${format(target.high)} | ${target.source} | ${format(value)}${inside ? '' : ' (OUT OF TARGET)'} |`);
  }
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const now = new Date(process.argv[2] ?? '2026-11-23T10:00:00Z');
  console.log(`Reference pool calibration (seed ${DEFAULT_POOL_SEED}, generated as of ${now.toISOString().slice(0, 10)}):\n`);
  console.log(calibrationTable(poolCalibration([...generatePool(DEFAULT_POOL_SEED, now)], now)));
}
