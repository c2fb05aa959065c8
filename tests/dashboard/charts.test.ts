/**
 * Issue 18 item 4: no two labels of a chart overlap, for any data. Each chart is laid out by Chromium
 * (Debian's, through playwright-core) and the real bounding boxes of its labels are compared pairwise
 * and against the chart's own bounds: edge cases (equal quantiles, values 0 and 1, long unit names,
 * unranked, suppressed, negative NPS, a target equal to the latest value) and seeded random data.
 * The galleries are saved to .local/charts-*.png for a person to look at.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import fc from 'fast-check';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ChartInput, renderBenchmarkChart } from '../../worker/domain/benchmark-chart.ts';
import { MEASURE_DISPLAY, periodLabel } from '../../worker/domain/charts/format.ts';
import { MEASURE_RANGES } from '../../worker/domain/measures.ts';
import { type HeatmapChartInput, renderHeatmapChart } from '../../worker/domain/charts/heatmap.ts';
import { renderTrendChart, type TrendInput } from '../../worker/domain/charts/trend.ts';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (.ci/run does).`);

const LONG_UNIT = 'Customer service · Store Madrid Centro, Calle de Alcalá 123 (flagship, ground and first floor, click & collect)';
const csat = MEASURE_DISPLAY.csat;
const nps = MEASURE_DISPLAY.nps;
const quality = MEASURE_DISPLAY.quality;
const blame = MEASURE_DISPLAY.attitudeBlameShare;

const benchmark = (overrides: Partial<ChartInput>): ChartInput => ({
  title: `${csat.title}: you and your peers`,
  subtitle: 'All participants · November 2026 · 27 organizations',
  distribution: { p10: 0.55, p25: 0.6, median: 0.7, p75: 0.875, p90: 0.95 },
  own: { value: 0.8, percentileRank: 58.3 },
  format: csat.format,
  better: 'higher',
  scale: MEASURE_RANGES.csat,
  ...overrides,
});

const months = (count: number, values: (i: number) => number | null) =>
  Array.from({ length: count }, (_, i) => {
    const from = new Date(Date.UTC(2025, 11 + i, 1)).toISOString().slice(0, 10);
    const to = new Date(Date.UTC(2025, 12 + i, 1)).toISOString().slice(0, 10);
    return { label: periodLabel(from, to, 'short'), longLabel: periodLabel(from, to), value: values(i) };
  });

const trend = (overrides: Partial<TrendInput>): TrendInput => ({
  title: csat.title,
  subtitle: 'Whole organization · December 2025 – December 2026',
  points: months(13, (i) => 0.6 + i * 0.01),
  target: 0.85,
  format: csat.format,
  better: 'higher',
  scale: MEASURE_RANGES.csat,
  ...overrides,
});

const EDGE_CASES: [string, string][] = [
  ['benchmark: equal quantiles, own on them', renderBenchmarkChart(benchmark({ distribution: { p10: 1, p25: 1, median: 1, p75: 1, p90: 1 }, own: { value: 1, percentileRank: 50 } }))],
  ['benchmark: values 0 and 1', renderBenchmarkChart(benchmark({ distribution: { p10: 0, p25: 0, median: 0.5, p75: 1, p90: 1 }, own: { value: 0, percentileRank: 0 } }))],
  ['benchmark: own at the top', renderBenchmarkChart(benchmark({ distribution: { p10: 0, p25: 0.999, median: 1, p75: 1, p90: 1 }, own: { value: 1, percentileRank: 100 } }))],
  ['benchmark: close quantiles', renderBenchmarkChart(benchmark({ distribution: { p10: 3.99, p25: 4, median: 4.001, p75: 4.002, p90: 4.01 }, own: { value: 4.0005, percentileRank: 44.4 }, format: quality.format, scale: MEASURE_RANGES.quality }))],
  [
    'benchmark: unranked, long note and long title',
    renderBenchmarkChart(
      benchmark({
        title: `${csat.title} at ${LONG_UNIT}: you and your peers`,
        own: null,
        ownNote: "Not ranked: Give to get: peers' distributions are shown only to tenants whose own csat counts in the snapshot, and this tenant's does not (tooFewAnswers).",
      }),
    ),
  ],
  ['benchmark: suppressed cohort, unranked', renderBenchmarkChart(benchmark({ distribution: null, suppressedReason: 'Fewer than 5 organizations in this cohort took part in November 2026, so its distribution is not published.', own: null, ownNote: 'Not ranked: the cohort is suppressed.' }))],
  ['benchmark: negative NPS', renderBenchmarkChart(benchmark({ title: `${nps.title}: you and your peers`, distribution: { p10: -100, p25: -40, median: -12, p75: -11.5, p90: -11 }, own: { value: -100, percentileRank: 0 }, format: nps.format, scale: MEASURE_RANGES.nps }))],
  ['benchmark: lower is better', renderBenchmarkChart(benchmark({ title: `${blame.title}: you and your peers`, format: blame.format, better: 'lower' }))],
  ['trend: flat, target equal to every value', renderTrendChart(trend({ points: months(13, () => 0.85), target: 0.85 }))],
  ['trend: values 0 and 1', renderTrendChart(trend({ points: months(13, (i) => (i % 2 ? 1 : 0)), target: 1 }))],
  ['trend: negative NPS, target 0', renderTrendChart(trend({ title: nps.title, points: months(13, (i) => -100 + i * 7.5), target: 0, format: nps.format, scale: MEASURE_RANGES.nps }))],
  ['trend: gaps, long unit name, no target', renderTrendChart(trend({ subtitle: `${LONG_UNIT} · December 2025 – December 2026`, points: months(13, (i) => (i % 4 === 1 ? null : 3 + i / 10)), target: null, format: quality.format, scale: MEASURE_RANGES.quality }))],
  ['trend: one point', renderTrendChart(trend({ points: months(1, () => 0.7) }))],
  ['trend: no figures at all', renderTrendChart(trend({ points: months(13, () => null), target: null }))],
  ['trend: 36 periods', renderTrendChart(trend({ points: months(36, (i) => 0.5 + ((i * 37) % 11) / 40) }))],
  ['trend: significant changes ringed, legend says so', renderTrendChart(trend({ points: months(13, (i) => (i < 6 ? 0.6 : 0.85)).map((p, i) => ({ ...p, significant: i === 6 || i === 12 })) }))],
];

const HEATMAP_MEASURES = ['quality', 'quantity', 'opportunity', 'cost', 'overall', 'csat', 'nps', 'effort', 'enps', 'supportIndex', 'willingness', 'leadershipSupport'] as const;
/** A heatmap of `units` rows over every scorecard measure; `cell` gives each value as a share of the scale (null: none). */
function heatmap(units: string[], cell: (row: number, column: number) => number | null, withheld = (_row: number, _column: number) => false): string {
  const columns = HEATMAP_MEASURES.map((measure) => ({ ...MEASURE_DISPLAY[measure], span: MEASURE_RANGES[measure].max - MEASURE_RANGES[measure].min }));
  const input: HeatmapChartInput = {
    title: 'Units at a glance',
    subtitle: 'November 2026 · against the median of industry retail, or your target',
    columns,
    rows: units.map((name, r) => ({
      name,
      cells: HEATMAP_MEASURES.map((measure, c) => {
        const share = cell(r, c);
        const { min, max } = MEASURE_RANGES[measure];
        const value = share === null || withheld(r, c) ? null : min + share * (max - min);
        return { value, withheld: withheld(r, c), reference: value === null ? null : (['median', 'target', null] as const)[(r + c) % 3]!, difference: value === null ? null : (share! - 0.5) * (max - min) * 0.3, significantChange: value === null ? null : (['up', 'down', null] as const)[(r * 7 + c) % 3]! };
      }),
    })),
  };
  return renderHeatmapChart(input);
}

const HEATMAP_CASES: [string, string][] = [
  ['heatmap: one unit', heatmap(['Store Madrid Centro'], (r, c) => c / 11)],
  ['heatmap: 60 units, extremes (0, 1, −100)', heatmap(Array.from({ length: 60 }, (_, i) => `Unit ${i + 1}`), (r, c) => [0, 1, 0.5, 0.999][(r + c) % 4]!, (r, c) => c >= 8 && r % 5 === 0)],
  ['heatmap: long unit names', heatmap([LONG_UNIT, `${LONG_UNIT} ${LONG_UNIT}`, 'WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW', 'Short'], (r, c) => ((r + 1) * (c + 3)) % 10 / 10)],
  ['heatmap: all null', heatmap(['Store North', 'Store South', 'IT helpdesk'], () => null)],
  ['heatmap: all withheld', heatmap(['Store North', 'Store South'], () => 0.5, () => true)],
];

/** Seeded random charts of every shape the API can give. */
function randomCases(): [string, string][] {
  const measure = fc.constantFrom(csat, nps, quality, blame);
  const scales = new Map([
    [csat, MEASURE_RANGES.csat],
    [blame, MEASURE_RANGES.attitudeBlameShare],
    [nps, MEASURE_RANGES.nps],
    [quality, MEASURE_RANGES.quality],
  ]);
  const cases: [string, string][] = [];
  const benchmarks = fc.sample(fc.tuple(measure, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 6, maxLength: 6 }), fc.boolean(), fc.double({ min: 0, max: 100, noNaN: true })), { numRuns: 25, seed: 18 });
  for (const [display, raw, ranked, rank] of benchmarks) {
    const scale = scales.get(display)!;
    const [low, high] = [scale.min, scale.max];
    const [p10, p25, median, p75, p90] = raw.slice(0, 5).map((r) => low + r * (high - low)).sort((a, b) => a - b) as [number, number, number, number, number];
    const own = { value: low + raw[5]! * (high - low), percentileRank: rank };
    cases.push([`random benchmark ${cases.length}`, renderBenchmarkChart(benchmark({ title: `${display.title}: you and your peers`, distribution: { p10, p25, median, p75, p90 }, own: ranked ? own : null, ownNote: 'Not ranked: too few answers.', format: display.format, better: display.better, scale }))]);
  }
  const trends = fc.sample(fc.tuple(measure, fc.integer({ min: 1, max: 36 }), fc.array(fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }), { minLength: 36, maxLength: 36 }), fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null })), { numRuns: 25, seed: 18 });
  for (const [display, count, raw, target] of trends) {
    const scale = scales.get(display)!;
    const at = (r: number | null) => (r === null ? null : scale.min + r * (scale.max - scale.min));
    cases.push([`random trend ${cases.length}`, renderTrendChart(trend({ title: display.title, points: months(count, (i) => at(raw[i]!)), target: at(target), format: display.format, better: display.better, scale }))]);
  }
  return cases;
}

interface Box {
  text: string;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

describe.skipIf(!haveChromium)('chart labels in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  }, 60_000);
  afterAll(() => browser?.close());

  test('no two labels overlap and every label stays inside its chart', { timeout: 120_000 }, async () => {
    const cases = [...EDGE_CASES, ...randomCases(), ...HEATMAP_CASES];
    const page = await browser.newPage({ viewport: { width: 1340, height: 900 } });
    const gallery = (id: string, list: [string, string][], columns = '660px 660px') =>
      `<div id="${id}" style="display:grid;grid-template-columns:${columns};gap:8px">${list.map(([name, svg]) => `<div><h3 style="font:14px sans-serif;margin:4px 0">${name}</h3>${svg}</div>`).join('')}</div>`;
    await page.setContent(`<!DOCTYPE html><html><body style="margin:8px">${gallery('edge', cases.slice(0, EDGE_CASES.length))}${gallery('random', cases.slice(EDGE_CASES.length, -HEATMAP_CASES.length))}${gallery('heatmaps', HEATMAP_CASES, '1280px')}</body></html>`);
    // A string, so the browser's DOM types stay out of this Node project's type check.
    const layouts = (await page.evaluate(`[...document.querySelectorAll('svg')].map((svg) => {
      const frame = svg.getBoundingClientRect();
      const boxes = [...svg.querySelectorAll('text')].map((text) => {
        const r = text.getBoundingClientRect();
        return { text: text.textContent, left: r.left - frame.left, top: r.top - frame.top, right: r.right - frame.left, bottom: r.bottom - frame.top };
      });
      return { width: frame.width, height: frame.height, boxes };
    })`)) as { width: number; height: number; boxes: Box[] }[];
    expect(layouts).toHaveLength(cases.length);
    const problems: string[] = [];
    // Glyph boxes include the font's line gap: a label in the next row may touch one above by a pixel.
    const TOLERANCE = 1;
    layouts.forEach(({ width, height, boxes }, i) => {
      const name = cases[i]![0];
      const overlap = (a: Box, b: Box) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > TOLERANCE && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > TOLERANCE;
      for (const box of boxes) {
        if (box.left < -TOLERANCE || box.top < -TOLERANCE || box.right > width + TOLERANCE || box.bottom > height + TOLERANCE) problems.push(`${name}: "${box.text}" leaves the ${width}×${height} chart`);
      }
      boxes.forEach((a, j) => boxes.slice(j + 1).forEach((b) => overlap(a, b) && problems.push(`${name}: "${a.text}" overlaps "${b.text}"`)));
    });
    await mkdir('.local', { recursive: true });
    await page.locator('#edge').screenshot({ path: '.local/charts-edge-cases.png' });
    await page.locator('#random').screenshot({ path: '.local/charts-random.png' });
    await page.locator('#heatmaps').screenshot({ path: '.local/charts-heatmaps.png' });
    expect(problems).toEqual([]);
  });
});
