/** The pure parts of the dashboard's charts: periods as people say them, axis ticks, label placement. */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { niceTicks, tickLabels, ticksWithin } from '../../worker/domain/charts/axis.ts';
import { MEASURE_DISPLAY, periodLabel } from '../../worker/domain/charts/format.ts';
import { placeLabelsInRows, spreadVertically } from '../../worker/domain/charts/labels.ts';
import { wrapText, textWidth } from '../../worker/domain/charts/svg.ts';

describe('periodLabel', () => {
  test('a half-open period ending on the 1st is the month before', () => {
    expect(periodLabel('2026-11-01', '2026-12-01')).toBe('November 2026');
    expect(periodLabel('2026-12-01', '2027-01-01', 'short')).toBe('Dec 2026');
    expect(periodLabel('2026-10-01', '2027-01-01')).toBe('Q4 2026');
    expect(periodLabel('2025-12-01', '2026-12-01')).toBe('December 2025 – November 2026');
    expect(periodLabel('2026-11-30', '2026-12-07')).toBe('30 Nov 2026 – 6 Dec 2026');
  });
});

describe('measures as a manager reads them', () => {
  test('shares as percentages, net scores signed, human titles, the better direction', () => {
    expect(MEASURE_DISPLAY.csat.format(0.53)).toBe('53%');
    expect(MEASURE_DISPLAY.nps.format(-12.5)).toBe('−12.5');
    expect(MEASURE_DISPLAY.nps.format(40)).toBe('+40');
    expect(MEASURE_DISPLAY.attitudeBlameShare.title).toBe('Complaints blaming attitude');
    expect(MEASURE_DISPLAY.attitudeBlameShare.better).toBe('lower');
    expect(MEASURE_DISPLAY.quality.format(4)).toBe('4.00');
  });
});

describe('axis', () => {
  test('nice ticks span the values; a flat range gets a span; ticks stay within the measure scale', () => {
    expect(niceTicks(0.53, 0.91, 5).ticks).toEqual([0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    const flat = niceTicks(1, 1, 5);
    expect(flat.low).toBeLessThan(1);
    expect(flat.high).toBeGreaterThan(1);
    const share = ticksWithin(1, 1, 5, { min: 0, max: 1 });
    expect(share.high).toBe(1);
    expect(Math.max(...share.ticks)).toBeLessThanOrEqual(1);
    expect(tickLabels([3.995, 4, 4.005], (v) => v.toFixed(2))).toEqual(['3.995', '4', '4.005']);
  });
});

describe('label placement', () => {
  test('property: placed labels never overlap (by the estimate) and stay within bounds', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: -50, max: 700, noNaN: true }), fc.string({ minLength: 1, maxLength: 40 })), { maxLength: 30 }), (requests) => {
        const placed = placeLabelsInRows(
          requests.map(([x, text]) => ({ x, text })),
          { left: 0, right: 640, fontSize: 11 },
        );
        for (const a of placed) {
          expect(a.left).toBeGreaterThanOrEqual(0);
          expect(a.left + a.width).toBeLessThanOrEqual(640 + 1e-9);
          for (const b of placed) {
            if (a !== b && a.row === b.row) expect(a.left + a.width <= b.left || b.left + b.width <= a.left).toBe(true);
          }
        }
      }),
    );
  });

  test('vertical spreading keeps a line between labels', () => {
    const ys = spreadVertically([100, 100, 101], { top: 0, bottom: 200, lineHeight: 15 });
    const sorted = [...ys].sort((a, b) => a - b);
    expect(sorted[1]! - sorted[0]!).toBeGreaterThanOrEqual(15);
    expect(sorted[2]! - sorted[1]!).toBeGreaterThanOrEqual(15);
    expect(spreadVertically([195, 200], { top: 0, bottom: 200, lineHeight: 15 })).toEqual([185, 200]);
  });

  test('wrapping keeps every line within the width', () => {
    const lines = wrapText('Customer service · Store Madrid Centro, Calle de Alcalá 123 (flagship) Supercalifragilisticexpialidociousandthensome', 200, 13);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(textWidth(line, 13)).toBeLessThanOrEqual(200);
  });
});
