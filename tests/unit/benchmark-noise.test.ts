/**
 * The pool's disclosure mechanism (worker/domain/benchmark-noise.ts): keyed, deterministic Laplace
 * perturbation of each participant's value, and the property that makes it enough — everything a
 * tenant reads is a function of its peers' perturbed values (and its own), never of their true ones.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { drawLabel, laplace, NOISE_SCALE, noiseKey, perturb, reflectInto, uniformDraw } from '../../worker/domain/benchmark-noise.ts';
import { computeBenchmark, type Contribution, memberPercentileRank, type Participant, publishedValues } from '../../worker/domain/benchmarks.ts';
import { MEASURE_RANGES } from '../../worker/domain/measures.ts';
import { DEFAULT_POOL_SEED, generatePool } from '../../db/pool/generate.ts';
import { EMPTY_EXTERNAL_TOTALS, EMPTY_INTERNAL_TOTALS } from '../../worker/db/rollup-totals.ts';
import { eligibleValues, lastCompletePeriods } from '../../worker/domain/benchmarks.ts';
import { percentileRank } from '../../worker/domain/statistics.ts';

const period = { kind: 'month', start: '2026-11-01' } as const;
const participant = (id: number, industry = 'retail'): Participant => ({ tenantId: `t${id}`, industry, sizeBand: '50-249', region: 'ES' });

describe('draws', () => {
  test('deterministic per secret, period, tenant and measure; different when any of them changes', async () => {
    const key = await noiseKey('secret');
    const u = await uniformDraw(key, drawLabel(period, 't1', 'csat'));
    expect(await uniformDraw(await noiseKey('secret'), drawLabel(period, 't1', 'csat'))).toBe(u);
    for (const other of [
      uniformDraw(await noiseKey('other secret'), drawLabel(period, 't1', 'csat')),
      uniformDraw(key, drawLabel({ kind: 'quarter', start: '2026-10-01' }, 't1', 'csat')),
      uniformDraw(key, drawLabel(period, 't2', 'csat')),
      uniformDraw(key, drawLabel(period, 't1', 'nps')),
    ]) {
      expect(await other).not.toBe(u);
    }
    expect(u).toBeGreaterThan(0);
    expect(u).toBeLessThan(1);
  });

  test('uniform draws give Laplace noise of the stated scale (mean |noise| = scale)', async () => {
    const key = await noiseKey('scale check');
    const draws = await Promise.all(Array.from({ length: 4000 }, (_, i) => uniformDraw(key, `draw ${i}`)));
    const noise = draws.map((u) => laplace(u, 0.1));
    const meanAbs = noise.reduce((sum, n) => sum + Math.abs(n), 0) / noise.length;
    expect(meanAbs).toBeGreaterThan(0.09);
    expect(meanAbs).toBeLessThan(0.11);
    expect(Math.abs(noise.reduce((sum, n) => sum + n, 0) / noise.length)).toBeLessThan(0.01);
    // Median |noise| = scale × ln 2: half the peers' values are off by more than 0.069 on a 1-5 mean.
    const sorted = noise.map(Math.abs).sort((a, b) => a - b);
    expect(sorted[2000]!).toBeCloseTo(0.1 * Math.LN2, 1);
  });

  test('property: reflection keeps every value in range, is the identity inside it and never piles on a bound', () => {
    fc.assert(
      fc.property(fc.double({ min: -400, max: 400, noNaN: true }), (value) => {
        const folded = reflectInto(value, 1, 5);
        expect(folded).toBeGreaterThanOrEqual(1);
        expect(folded).toBeLessThanOrEqual(5);
        if (value >= 1 && value <= 5) expect(folded).toBeCloseTo(value, 9);
      }),
    );
    expect(reflectInto(5.3, 1, 5)).toBeCloseTo(4.7, 12);
    expect(reflectInto(-0.02, 0, 1)).toBeCloseTo(0.02, 12);
  });

  test('the scale is NOISE_SCALE of each measure’s range', () => {
    expect(NOISE_SCALE * (MEASURE_RANGES.supportIndex.max - MEASURE_RANGES.supportIndex.min)).toBeCloseTo(0.1, 12);
    expect(NOISE_SCALE * (MEASURE_RANGES.csat.max - MEASURE_RANGES.csat.min)).toBeCloseTo(0.025, 12);
    expect(NOISE_SCALE * (MEASURE_RANGES.nps.max - MEASURE_RANGES.nps.min)).toBeCloseTo(5, 12);
    // A draw of ¾ is noise of scale × ln 2 upwards.
    expect(perturb('supportIndex', 3, 0.75)).toBeCloseTo(3 + 0.1 * Math.LN2, 12);
  });
});

describe('ranks', () => {
  test('property: a member’s rank is the naive mid-rank of its true value among the others’ published values and itself', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 })), { minLength: 1, maxLength: 30 }), fc.nat(), (members, pick) => {
        const i = pick % members.length;
        const published = members.map(([, p]) => p);
        const sorted = [...published].sort((a, b) => a - b);
        const value = members[i]![0];
        const pool = [...published.filter((_, j) => j !== i), value];
        expect(memberPercentileRank(sorted, published[i]!, value)).toBeCloseTo(percentileRank(pool, value)!, 9);
      }),
    );
  });
});

describe('what a tenant can read depends on its peers only through their perturbed values', () => {
  /** Everything the reader (member 0) can read: the stats of every cohort it is in, and its own positions. */
  function readerView(contributions: Contribution[]) {
    const result = computeBenchmark(contributions);
    return { stats: result.stats, own: result.positions.filter((p) => p.tenantId === 't0') };
  }

  test('property: peers with other true values but the same published ones give the reader the very same answers', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 1, max: 5, noNaN: true }), fc.double({ min: 1, max: 5, noNaN: true }), fc.boolean()), { minLength: 5, maxLength: 12 }),
        fc.double({ min: 1, max: 5, noNaN: true }),
        fc.double({ min: 1, max: 5, noNaN: true }),
        (peers, own, ownPublished) => {
          const world = (trueOf: (peer: [number, number, boolean]) => number): Contribution[] => [
            { participant: participant(0), values: { supportIndex: own }, published: { supportIndex: ownPublished } },
            ...peers.map((peer, k) => ({
              participant: participant(k + 1, peer[2] ? 'retail' : 'banking'),
              values: { supportIndex: trueOf(peer) },
              published: { supportIndex: peer[1] },
            })),
          ];
          // Two worlds: the peers' true values differ completely; their published ones are equal.
          expect(readerView(world((peer) => peer[0]))).toEqual(readerView(world((peer) => 6 - peer[0])));
        },
      ),
    );
  });

  test('attack 6 on the pure computation: exact quantiles of 7 give every peer away, perturbed ones do not', async () => {
    const truth = [2.14, 2.56, 3.02, 3.3, 3.78, 4.46];
    const solve = (d: { mean: number; p10: number; p25: number; median: number; p75: number; p90: number }, x0: number) => {
      const x1 = x0 + (d.p10 - x0) / 0.6;
      const x2 = x1 + (d.p25 - x1) / 0.5;
      const x3 = d.median;
      const rest = 7 * d.mean - x0 - x1 - x2 - x3;
      const x5 = (2 * d.p75 + d.p90 / 0.4 - rest) / 1.5;
      return [x1, x2, x3, 2 * d.p75 - x5, x5, (d.p90 - 0.6 * x5) / 0.4];
    };
    const members = [1, ...truth].map((supportIndex, i) => ({ participant: participant(i), values: { supportIndex } }));
    const exact = computeBenchmark(members.map((m) => ({ ...m, published: m.values }))).stats.find((s) => s.cohortKind === 'all')!;
    solve(exact, 1).forEach((value, i) => expect(value).toBeCloseTo(truth[i]!, 9));

    const key = await noiseKey('attack 6');
    const contributions = await Promise.all(members.map(async (m) => ({ ...m, published: await publishedValues(key, period, m.participant.tenantId, m.values) })));
    const noisy = computeBenchmark(contributions).stats.find((s) => s.cohortKind === 'all')!;
    const errors = solve(noisy, 1).map((value, i) => Math.abs(value - truth[i]!));
    expect(errors.reduce((a, b) => a + b, 0) / errors.length).toBeGreaterThan(0.01);
  });
});

describe('the attitude blame benchmark on the reference pool', () => {
  test('p90 below 1: eligibility counts dissatisfied ratings, and published values do not pile up at 100%', async () => {
    const now = new Date('2026-12-03T02:15:00Z');
    const key = await noiseKey('reference pool');
    const organizations = [...generatePool(DEFAULT_POOL_SEED, now)].filter((org) => org.tenant.benchmarkOptIn);
    for (const period of lastCompletePeriods(now)) {
      const contributions: Contribution[] = [];
      let oldRule = 0;
      let oldRuleAtOne = 0;
      for (const org of organizations) {
        const ratings = org.external.filter((r) => r.occurred_at >= `${period.start}T` && r.occurred_at < `${period.end}T`);
        const dissatisfied = ratings.filter((r) => r.overall <= 2);
        const blaming = dissatisfied.filter((r) => r.blames_attitude).length;
        const external = { ...EMPTY_EXTERNAL_TOTALS, ratings: ratings.length, dissatisfied: dissatisfied.length, dissatisfiedBlamingAttitude: blaming };
        if (ratings.length >= 30 && dissatisfied.length > 0) {
          oldRule++;
          if (blaming === dissatisfied.length) oldRuleAtOne++;
        }
        const values = eligibleValues(external, EMPTY_INTERNAL_TOTALS);
        if (values.attitudeBlameShare === undefined) continue;
        expect(dissatisfied.length).toBeGreaterThanOrEqual(10);
        contributions.push({ participant: { tenantId: org.tenant.id, industry: org.tenant.industry, sizeBand: org.tenant.sizeBand, region: org.tenant.region }, values: { attitudeBlameShare: values.attitudeBlameShare }, published: await publishedValues(key, period, org.tenant.id, { attitudeBlameShare: values.attitudeBlameShare }) });
      }
      const stat = computeBenchmark(contributions).stats.find((s) => s.measure === 'attitudeBlameShare' && s.cohortKind === 'all')!;
      const exact = computeBenchmark(contributions.map((c) => ({ ...c, published: c.values }))).stats.find((s) => s.measure === 'attitudeBlameShare' && s.cohortKind === 'all')!;
      console.log(
        `blame ${period.kind} ${period.start}: 30-ratings rule ${oldRuleAtOne}/${oldRule} at 100%;`,
        `≥ 10 dissatisfied: ${stat.organizations} organizations, ${contributions.filter((c) => c.values.attitudeBlameShare === 1).length} at 100%,`,
        `exact median/p75/p90 ${[exact.median, exact.p75, exact.p90].map((v) => v.toFixed(3)).join('/')},`,
        `published ${[stat.median, stat.p75, stat.p90].map((v) => v.toFixed(3)).join('/')}`,
      );
      expect(stat.organizations).toBeGreaterThanOrEqual(5);
      expect(stat.p90).toBeLessThan(1);
      expect(stat.median).toBeLessThan(1);
      // Without the noise too: a share on 10 answers is benchmarked on its posterior mean, never 100%.
      expect(exact.p90).toBeLessThan(1);
    }
    // Generating the pool is seconds of CPU: 4.4 s alone at load 9, past 20 s when the whole suite shares 2 cores.
  }, 90_000);
});
