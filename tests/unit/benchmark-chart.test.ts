import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { AXIS, type ChartInput, escapeXml, renderBenchmarkChart } from '../../worker/domain/benchmark-chart.ts';
import { assertWellFormedSvg } from '../api/helpers.ts';

const markerX = (svg: string) => Number(/<line x1="([^"]+)"[^>]*data-marker="own"/.exec(svg)![1]);

const base: ChartInput = {
  title: 'csat: you & <peers>',
  subtitle: 'region ES · month 2026-10-01 – 2026-11-01 · 6 organizations',
  distribution: { p10: 0.55, p25: 0.6, median: 0.7, p75: 0.875, p90: 0.95 },
  own: { value: 0.8, percentileRank: 58.3333 },
};

describe('renderBenchmarkChart', () => {
  test('valid, 640 wide, escaped, marker and percentile label', () => {
    const svg = renderBenchmarkChart(base);
    assertWellFormedSvg(svg);
    expect(svg).toContain('width="640"');
    expect(svg).toContain('viewBox="0 0 640 220"');
    expect(svg).toContain('csat: you &amp; &lt;peers&gt;');
    expect(svg).toContain('percentile 58.3');
    expect(svg).toContain('median 0.7');
    expect(svg).not.toContain('NaN');
    expect(markerX(svg)).toBeGreaterThanOrEqual(AXIS.left);
    expect(markerX(svg)).toBeLessThanOrEqual(AXIS.right);
  });

  test('suppressed cohort and unranked tenant: text instead of a box', () => {
    const svg = renderBenchmarkChart({ ...base, distribution: null, suppressedReason: 'Fewer than 5 organizations', own: null, ownNote: 'Not ranked: not opted in' });
    assertWellFormedSvg(svg);
    expect(svg).toContain('Fewer than 5 organizations');
    expect(svg).toContain('Not ranked: not opted in');
    expect(svg).not.toContain('<rect x=');
  });

  test('escapeXml', () => {
    expect(escapeXml(`a&b<c>"d"'e'`)).toBe('a&amp;b&lt;c&gt;&quot;d&quot;&apos;e&apos;');
  });

  test('property: any distribution and marker stay on the axis, with no NaN', () => {
    const finite = fc.double({ min: -100, max: 100, noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(fc.array(finite, { minLength: 5, maxLength: 5 }), finite, fc.double({ min: 0, max: 100, noNaN: true }), (quantiles, value, rank) => {
        const [p10, p25, median, p75, p90] = [...quantiles].sort((a, b) => a - b) as [number, number, number, number, number];
        const svg = renderBenchmarkChart({ ...base, distribution: { p10, p25, median, p75, p90 }, own: { value, percentileRank: rank } });
        expect(svg).not.toContain('NaN');
        expect(svg).not.toContain('Infinity');
        assertWellFormedSvg(svg);
        expect(markerX(svg)).toBeGreaterThanOrEqual(AXIS.left);
        expect(markerX(svg)).toBeLessThanOrEqual(AXIS.right);
      }),
    );
  });
});
