/** The heatmap's pure parts: its cells (worker/domain/heatmap.ts) and its layout (worker/domain/charts/heatmap.ts). */
import { describe, expect, test } from 'vitest';
import { type HeatmapChartInput, HEATMAP_STEPS, heatmapChartInput, renderHeatmapChart, stepOf, truncate } from '../../worker/domain/charts/heatmap.ts';
import { textWidth } from '../../worker/domain/charts/svg.ts';
import { cohortMedians, HEATMAP_MEASURES, heatmapCells } from '../../worker/domain/heatmap.ts';
import { EMPTY_EXTERNAL_TOTALS, EMPTY_INTERNAL_TOTALS } from '../../worker/domain/measure-registry.ts';
import { assertWellFormedSvg } from '../api/helpers.ts';

const empty = { external: EMPTY_EXTERNAL_TOTALS, internal: EMPTY_INTERNAL_TOTALS };
/** n ratings, `satisfied` of them overall ≥ 4 (overall 5 or 2). */
const clients = (n: number, satisfied: number) => ({
  ...empty,
  external: { ...EMPTY_EXTERNAL_TOTALS, ratings: n, satisfied, overallSum: 5 * satisfied + 2 * (n - satisfied), overallSumSq: 25 * satisfied + 4 * (n - satisfied) },
});
/** n staff, each willingness 4. */
const staff = (n: number) => ({ ...empty, internal: { ...EMPTY_INTERNAL_TOTALS, respondents: n, willingnessSum: 4 * n, willingnessSumSq: 16 * n } });
const noMedians = cohortMedians(false, [], [], '');

describe('heatmapCells', () => {
  test('a value with n, its change, and the distance from the median where the tenant counted in the cohort', () => {
    const medians = cohortMedians(true, [{ measure: 'csat', cohortValue: 'retail' }], [{ measure: 'csat', cohortValue: 'retail', median: 0.7 }], 'retail');
    const cells = heatmapCells(clients(40, 36), clients(40, 20), {}, medians);
    expect(cells.csat).toMatchObject({ value: 0.9, n: 40, withheld: null, change: { significant: true, test: 'two-proportion-z' } });
    expect(cells.csat.cohort.difference).toBeCloseTo(0.2);
    expect(cells.nps).toMatchObject({ value: null, n: 0, change: null, cohort: { reason: 'not-counted' } });
  });

  test('give to get: no snapshot, not counted, or counted in another cohort each say so', () => {
    expect(noMedians.csat).toEqual({ reason: 'no-snapshot' });
    const moved = cohortMedians(true, [{ measure: 'csat', cohortValue: 'retail' }], [{ measure: 'csat', cohortValue: 'retail', median: 0.7 }], 'banking');
    expect(moved.csat).toEqual({ reason: 'cohort-changed' });
    expect(moved.enps).toEqual({ reason: 'not-counted' });
  });

  test('a withheld internal cell is null with its reason, never 0; clients’ figures of the same unit stay', () => {
    const cells = heatmapCells({ ...staff(4), external: clients(10, 5).external }, staff(12), { current: 'too-few-respondents' }, noMedians);
    expect(cells.willingness).toEqual({ value: null, n: null, withheld: 'too-few-respondents', change: null, cohort: { median: null, difference: null, reason: 'no-snapshot' } });
    expect(cells.csat.value).toBe(0.5);
  });

  test('no change against a withheld previous period', () => {
    const cells = heatmapCells(staff(12), staff(3), { previous: 'too-few-respondents' }, noMedians);
    expect(cells.willingness).toMatchObject({ value: 4, n: 12, change: null });
    expect(Object.keys(cells)).toEqual([...HEATMAP_MEASURES]);
  });
});

const columns = (count: number): HeatmapChartInput['columns'] =>
  Array.from({ length: count }, (_, i) => ({ title: i % 2 ? 'Customer satisfaction (CSAT)' : 'Employee Net Promoter Score', format: (v: number) => v.toFixed(2), better: i % 3 ? 'higher' : 'lower', span: 4 }));

describe('renderHeatmapChart', () => {
  test('a diverging scale: better is blue whichever way the measure points, within 2.5% of the scale is neutral', () => {
    expect(stepOf(0.5, { better: 'higher', span: 4 })).toBe(4);
    expect(stepOf(0.5, { better: 'lower', span: 4 })).toBe(0);
    expect(stepOf(0.05, { better: 'higher', span: 4 })).toBe(2);
    expect(stepOf(-0.2, { better: 'higher', span: 4 })).toBe(1);
    expect(HEATMAP_STEPS[4].fill).toBe('#2166ac');
  });

  test('long names are cut to fit and keep the full name in a <title>; cells keep their value as text', () => {
    const name = 'Customer service · Store Madrid Centro, Calle de Alcalá 123 (flagship)';
    expect(textWidth(truncate(name, 190, 12), 12)).toBeLessThanOrEqual(190);
    const svg = renderHeatmapChart({
      title: 'Units at a glance',
      subtitle: 'November 2026',
      columns: columns(2),
      rows: [{ name, cells: [{ value: 4.2, withheld: false, reference: 'median', difference: 0.4, significantChange: 'up' }, { value: null, withheld: true, reference: null, difference: null, significantChange: null }] }],
    });
    assertWellFormedSvg(svg);
    expect(svg).toContain(`<title>${name}</title>`);
    expect(svg).toContain('>4.20 ▲<');
    expect(svg).toContain('>hidden<');
    expect(svg).toMatch(/<desc>.*4\.20, much (better|worse) than the peers’ median, significantly up since the previous period/);
  });

  test('grows with its rows and columns; an empty page still draws its legend', () => {
    const row = (cells: number) => ({ name: 'Unit', cells: Array.from({ length: cells }, () => ({ value: null, withheld: false, reference: null, difference: null, significantChange: null })) });
    const height = (svg: string) => Number(/height="(\d+)"/.exec(svg)![1]);
    const one = renderHeatmapChart({ title: 't', subtitle: 's', columns: columns(12), rows: [row(12)] });
    const sixty = renderHeatmapChart({ title: 't', subtitle: 's', columns: columns(12), rows: Array.from({ length: 60 }, () => row(12)) });
    expect(height(sixty) - height(one)).toBe(59 * 24);
    expect(one).toContain('width="1264"');
    // No heading word is cut: each title fits its column in whole words.
    expect(one).not.toContain('…');
    const none = renderHeatmapChart({ title: 't', subtitle: 's', columns: columns(1), rows: [] });
    assertWellFormedSvg(none);
    expect(none).toContain('significant change');
  });

  test('from the API body: medians first, else targets', () => {
    const input = heatmapChartInput({
      period: { from: '2026-10-01', to: '2026-11-01' },
      cohort: { kind: 'all', value: null },
      measures: [{ measure: 'csat', target: 0.8 }, { measure: 'nps', target: null }],
      data: [{ unit: { name: 'A' }, cells: { csat: { value: 0.9, withheld: null, change: null, cohort: { difference: null } }, nps: { value: 10, withheld: null, change: { difference: -20, significant: true }, cohort: { difference: -5 } } } }],
    });
    expect(input.subtitle).toContain('October 2026');
    expect(input.rows[0]!.cells[0]).toMatchObject({ reference: 'target', difference: expect.closeTo(0.1) });
    expect(input.rows[0]!.cells[1]).toMatchObject({ reference: 'median', difference: -5, significantChange: 'down' });
  });
});
