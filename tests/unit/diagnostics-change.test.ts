/**
 * Diagnostics' period-over-period changes (worker/domain/diagnostics.ts): a finding says a figure rose
 * or fell only when its change is significant, the others read as no real change, and an internal
 * change is withheld unless both periods' cells are published.
 */
import { describe, expect, test } from 'vitest';
import { changeOf } from '../../worker/domain/change.ts';
import { diagnose, type DiagnosticsInput, type FigureChange, previousPeriod } from '../../worker/domain/diagnostics.ts';
import type { Decision, DisclosurePeriod } from '../../worker/domain/disclosure.ts';
import { EMPTY_EXTERNAL_TOTALS, EMPTY_INTERNAL_TOTALS, type ExternalTotals, type InternalTotals } from '../../worker/domain/measure-registry.ts';
import { measureEstimate } from '../../worker/domain/measures.ts';

const PERIOD: DisclosurePeriod = { kind: 'month', from: '2026-10-01', to: '2026-11-01' };
type Decide = { decide: (cell: { period: DisclosurePeriod }) => Decision };
const PUBLISH_ALL: Decide = { decide: () => ({ published: true }) };

/** `count` answers of `value`, as rollup sums of `column`. */
const answers = (column: string, ...groups: [value: number, count: number][]) => ({
  [`${column}Sum`]: groups.reduce((s, [v, c]) => s + v * c, 0),
  [`${column}SumSq`]: groups.reduce((s, [v, c]) => s + v * v * c, 0),
});

/** `satisfied` of `ratings` clients rate overall 5, the others 2; each rates quality `quality` and recommends with the given counts. */
function clients(ratings: number, satisfied: number, quality: [number, number][], recommend: { promoters: number; detractors: number; n: number }): ExternalTotals {
  return {
    ...EMPTY_EXTERNAL_TOTALS,
    ratings,
    satisfied,
    ...answers('overall', [5, satisfied], [2, ratings - satisfied]),
    qualityN: quality.reduce((s, [, c]) => s + c, 0),
    ...answers('quality', ...quality),
    recommendN: recommend.n,
    promoters: recommend.promoters,
    detractors: recommend.detractors,
  };
}

/** `respondents` staff whose five support answers add up to `total` each. */
function staff(respondents: number, totals: [number, number][]): InternalTotals {
  return { ...EMPTY_INTERNAL_TOTALS, respondents, ...answers('supportTotal', ...totals) };
}

function run(current: { external: ExternalTotals; internal: InternalTotals }, previous: DiagnosticsInput['previous'], disclosure: Decide = PUBLISH_ALL) {
  return diagnose({
    scope: { external: [{ ...current.external, customerKind: 'occasional' }], internal: [{ ...current.internal, tenureBand: 'established' }] },
    external: [],
    internal: [],
    unitId: null,
    period: PERIOD,
    disclosure,
    previous,
  });
}

// CSAT: Newcombe (1998, Stat Med 17:873, Table II example (a)): 56/70 − 48/80, method 10 gives 0.0524 to 0.3339.
const NOW = { external: clients(70, 56, [[4, 35], [3, 35]], { promoters: 10, detractors: 40, n: 70 }), internal: staff(20, [[20, 10], [15, 10]]) };
const BEFORE = { external: clients(80, 48, [[4, 40], [3, 40]], { promoters: 40, detractors: 10, n: 80 }), internal: staff(20, [[20, 10], [15, 10]]) };

describe('changes against the previous period', () => {
  test('known answer: CSAT 48/80 → 56/70 is a significant rise, its interval Newcombe’s, and the finding says so in plain words', () => {
    const d = run(NOW, BEFORE);
    expect(d.changes!.previousPeriod).toEqual({ from: '2026-09-01', to: '2026-10-01' });
    const csat = d.changes!.figures.csat as FigureChange;
    expect(csat).toMatchObject({ previous: 0.6, current: 0.8, significant: true, test: 'two-proportion-z' });
    expect(csat.difference).toBeCloseTo(0.2, 12);
    expect(csat.interval.low).toBeCloseTo(0.0524, 4);
    expect(csat.interval.high).toBeCloseTo(0.3339, 4);
    const finding = d.findings.find((f) => f.id === 'change-csat')!;
    expect(finding).toEqual({
      id: 'change-csat',
      severity: 'info',
      text: 'Customer satisfaction (CSAT) rose from 60% to 80% against the previous period (+20 points, 95% interval +5 to +33): a real change, not chance.',
      supportedBy: ['changes.figures.csat'],
    });
  });

  test('a fall that is significant is a finding for the worse; the figures are changeOf’s', () => {
    const d = run(NOW, BEFORE);
    // NPS: 40 − 10 of 80 (+37.5) → 10 − 40 of 70 (−42.9).
    const nps = d.findings.find((f) => f.id === 'change-nps')!;
    expect(nps.severity).toBe('medium');
    expect(nps.text).toMatch(/^Net Promoter Score fell from 38 to −43 against the previous period \(−80 points, 95% interval −\d+ to −\d+\): a real change for the worse, not chance\.$/);
    const want = changeOf(measureEstimate('nps', NOW.external, NOW.internal)!, measureEstimate('nps', BEFORE.external, BEFORE.internal)!)!;
    expect(d.changes!.figures.nps).toEqual({ previous: 37.5, current: expect.closeTo(-300 / 7, 10), difference: want.difference, interval: want.interval, significant: true, test: 'net-score-z', pValue: want.pValue });
  });

  test('a change that is not significant never reads as a rise or a fall: it is named as no real change', () => {
    const d = run(NOW, BEFORE);
    // Quality: 3.5 with the same spread in both months; the support index: unchanged.
    expect(d.changes!.figures.quality).toMatchObject({ difference: 0, significant: false });
    expect(d.changes!.figures.supportIndex).toMatchObject({ difference: 0, significant: false });
    expect(d.findings.some((f) => f.id === 'change-quality' || f.id === 'change-supportIndex')).toBe(false);
    const steady = d.findings.find((f) => f.id === 'no-real-change')!;
    expect(steady.text).toBe('No real change against the previous period in Quality and Internal support: the differences are within what chance alone would give.');
    expect(steady.supportedBy).toEqual(['changes.figures.quality', 'changes.figures.supportIndex']);
    for (const f of d.findings.filter((f) => /\b(rose|fell)\b/.test(f.text))) expect(f.supportedBy.every((path) => (d.changes!.figures as any)[path.split('.').at(-1)!].significant)).toBe(true);
  });

  test('a small rise with few answers is no real change; with many it is one', () => {
    const few = run(
      { ...NOW, external: clients(20, 12, [[4, 20]], { promoters: 0, detractors: 0, n: 0 }) },
      { ...BEFORE, external: clients(20, 10, [[4, 20]], { promoters: 0, detractors: 0, n: 0 }) },
    );
    expect(few.changes!.figures.csat).toMatchObject({ significant: false });
    expect(few.findings.some((f) => f.id === 'change-csat')).toBe(false);
    expect(few.findings.find((f) => f.id === 'no-real-change')!.text).toContain('Customer satisfaction (CSAT)');
    const many = run(
      { ...NOW, external: clients(2000, 1200, [[4, 20]], { promoters: 0, detractors: 0, n: 0 }) },
      { ...BEFORE, external: clients(2000, 1000, [[4, 20]], { promoters: 0, detractors: 0, n: 0 }) },
    );
    expect(many.findings.find((f) => f.id === 'change-csat')!.text).toContain('rose from 50% to 60%');
  });

  test('internal changes are withheld unless both periods are published, and no finding rests on them', () => {
    const risen = { ...NOW, internal: staff(20, [[22, 20]]) };
    const before = { ...BEFORE, internal: staff(20, [[15, 10], [16, 10]]) };
    expect(run(risen, before).findings.find((f) => f.id === 'change-supportIndex')!.text).toMatch(/^Internal support rose from 3\.10 to 4\.40 /);
    const previousWithheld: Decide = { decide: ({ period }) => (period.from === PERIOD.from ? { published: true } : { published: false, reason: 'complementary' }) };
    const d = run(risen, before, previousWithheld);
    expect(d.changes!.figures.supportIndex).toMatchObject({ suppressed: true });
    expect(d.changes!.figures.supportIndex).toEqual(d.changes!.figures.enps);
    expect(JSON.stringify(d.findings)).not.toMatch(/Internal support|supportIndex|enps/);
    // The external figures are clients': not protected by the respondent threshold.
    expect(d.findings.some((f) => f.id === 'change-csat')).toBe(true);
  });

  test('without a previous period there are no changes; a figure with no answers in either period is null and says nothing', () => {
    expect(run(NOW, undefined).changes).toBeNull();
    expect(run(NOW, undefined).findings.some((f) => f.id.startsWith('change-') || f.id === 'no-real-change')).toBe(false);
    const d = run(NOW, { external: EMPTY_EXTERNAL_TOTALS, internal: EMPTY_INTERNAL_TOTALS });
    expect(Object.values(d.changes!.figures).every((figure) => figure === null)).toBe(true);
    expect(d.findings.some((f) => f.id.startsWith('change-') || f.id === 'no-real-change')).toBe(false);
  });

  test('the previous period is the one of the same kind just before', () => {
    expect(previousPeriod({ kind: 'month', from: '2026-01-01', to: '2026-02-01' })).toEqual({ kind: 'month', from: '2025-12-01', to: '2026-01-01' });
    expect(previousPeriod({ kind: 'quarter', from: '2026-04-01', to: '2026-07-01' })).toEqual({ kind: 'quarter', from: '2026-01-01', to: '2026-04-01' });
    expect(previousPeriod({ kind: 'rolling12', from: '2025-12-01', to: '2026-12-01' })).toEqual({ kind: 'rolling12', from: '2024-12-01', to: '2025-12-01' });
  });
});
