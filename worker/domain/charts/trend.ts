import { tickLabels, ticksWithin } from './axis.ts';
import { placeLabelsInRows, spreadVertically } from './labels.ts';
import { fmt, svgRoot, svgText, wrappedText } from './svg.ts';

/** A measure over consecutive periods (oldest first) with its target line, as standalone SVG. */
export interface TrendInput {
  title: string;
  subtitle: string;
  /**
   * `label` goes under the axis ("Nov 2026"), `longLabel` into the description ("November 2026");
   * `significant`: the change from the period before is significant (the scorecard's `change.significant`).
   */
  points: { label: string; longLabel: string; value: number | null; significant?: boolean }[];
  target: number | null;
  format: (value: number) => string;
  better: 'higher' | 'lower';
  /** The measure's own scale, which the axis does not pass. */
  scale?: { min: number; max: number };
}

export const TREND_WIDTH = 640;
const PLOT = { left: 64, right: TREND_WIDTH - 104, height: 150 };
const LABEL_SIZE = 11;
const ROW = 15;

export function renderTrendChart(input: TrendInput): string {
  const { format } = input;
  const parts: string[] = [];
  const title = wrappedText(PLOT.left - 48, 26, input.title, TREND_WIDTH - 32, { size: 16, weight: '600', fill: '#111111' });
  const direction = input.better === 'higher' ? 'Higher is better' : 'Lower is better';
  const subtitle = wrappedText(PLOT.left - 48, title.bottom + 18, `${input.subtitle} · ${direction}`, TREND_WIDTH - 32, { size: 13, fill: '#444444' });
  parts.push(title.svg, subtitle.svg);
  const top = subtitle.bottom + 22;
  const bottom = top + PLOT.height;
  const values = input.points.flatMap((p) => (p.value === null ? [] : [p.value]));
  const description = [`${input.subtitle}. ${direction}.`];
  if (input.target !== null) description.push(`Target ${format(input.target)}.`);
  description.push(...input.points.map((p) => `${p.longLabel}: ${p.value === null ? 'no figure' : format(p.value)}${p.value !== null && p.significant ? ', a significant change from the period before' : ''}.`));
  // Only real movements are highlighted: a change chance alone would rarely give (p < 0.05).
  const significant = input.points.some((p) => p.value !== null && p.significant);
  description.push(significant ? 'Ringed points: a significant change from the period before (p < 0.05); others are within what chance gives.' : 'No change between periods is significant (p < 0.05).');
  const span = [...values, ...(input.target === null ? [] : [input.target])];
  const { ticks, low, high } = span.length > 0 ? ticksWithin(Math.min(...span), Math.max(...span), 5, input.scale) : ticksWithin(input.scale?.min ?? 0, input.scale?.max ?? 1, 5, input.scale);
  const y = (value: number) => bottom - ((value - low) / (high - low)) * PLOT.height;
  const step = (PLOT.right - PLOT.left) / Math.max(input.points.length - 1, 1);
  const x = (i: number) => (input.points.length === 1 ? (PLOT.left + PLOT.right) / 2 : PLOT.left + i * step);

  const tickTexts = tickLabels(ticks, format);
  ticks.forEach((tick, i) => {
    parts.push(
      `<line x1="${PLOT.left}" y1="${fmt(y(tick), 1)}" x2="${PLOT.right}" y2="${fmt(y(tick), 1)}" stroke="#e3e3e3"/>`,
      svgText(PLOT.left - 8, y(tick) + 4, tickTexts[i]!, { size: LABEL_SIZE, fill: '#444444', anchor: 'end' }),
    );
  });
  parts.push(
    `<line x1="${PLOT.left}" y1="${bottom}" x2="${PLOT.right}" y2="${bottom}" stroke="#666666"/>`,
    `<line x1="${PLOT.left}" y1="${top}" x2="${PLOT.left}" y2="${bottom}" stroke="#666666"/>`,
  );

  // The line breaks where a period has no figure rather than bridging it.
  const segments: string[][] = [[]];
  input.points.forEach((p, i) => {
    if (p.value === null) segments.push([]);
    else segments.at(-1)!.push(`${fmt(x(i), 1)},${fmt(y(p.value), 1)}`);
  });
  for (const segment of segments.filter((s) => s.length > 1)) parts.push(`<polyline points="${segment.join(' ')}" fill="none" stroke="#1f5f99" stroke-width="2.5"/>`);
  input.points.forEach((p, i) => {
    if (p.value === null) return;
    parts.push(`<circle cx="${fmt(x(i), 1)}" cy="${fmt(y(p.value), 1)}" r="3.5" fill="#1f5f99"/>`);
    if (p.significant) parts.push(`<circle cx="${fmt(x(i), 1)}" cy="${fmt(y(p.value), 1)}" r="7.5" fill="none" stroke="#b35c00" stroke-width="2.5" data-marker="significant"/>`);
  });

  // Right margin: the target's label and the latest value's, pushed apart vertically.
  const margin: { y: number; text: string; fill: string }[] = [];
  if (input.target !== null) {
    parts.push(`<line x1="${PLOT.left}" y1="${fmt(y(input.target), 1)}" x2="${PLOT.right}" y2="${fmt(y(input.target), 1)}" stroke="#b03a2e" stroke-width="2" stroke-dasharray="6 4" data-marker="target"/>`);
    margin.push({ y: y(input.target) + 4, text: `Target ${format(input.target)}`, fill: '#b03a2e' });
  }
  const lastIndex = input.points.findLastIndex((p) => p.value !== null);
  if (lastIndex >= 0) margin.push({ y: y(input.points[lastIndex]!.value!) + 4, text: `Latest ${format(input.points[lastIndex]!.value!)}`, fill: '#1f5f99' });
  const marginYs = spreadVertically(
    margin.map((m) => m.y),
    { top: top + 4, bottom: bottom + 4, lineHeight: 15 },
  );
  margin.forEach((m, i) => parts.push(svgText(PLOT.right + 8, marginYs[i]!, m.text, { size: LABEL_SIZE, weight: '600', fill: m.fill })));

  const periodLabels = placeLabelsInRows(
    input.points.map((p, i) => ({ x: x(i), text: p.label })),
    { left: 4, right: TREND_WIDTH - 4, fontSize: LABEL_SIZE },
  );
  for (const label of periodLabels) {
    parts.push(
      `<line x1="${fmt(label.x, 1)}" y1="${bottom}" x2="${fmt(label.x, 1)}" y2="${bottom + 5}" stroke="#999999"/>`,
      svgText(label.left, bottom + 18 + label.row * ROW, label.text, { size: LABEL_SIZE, fill: '#444444' }),
    );
  }
  const labelsBottom = bottom + 18 + Math.max(0, ...periodLabels.map((l) => l.row)) * ROW;
  // The legend names the ring when one is drawn; a ring of its own sits before the words.
  const legendLeft = PLOT.left - (significant ? 32 : 48);
  const legend = significant ? 'Ringed: a significant change from the period before (p < 0.05)' : 'No significant change between periods (p < 0.05)';
  const legendText = wrappedText(legendLeft, labelsBottom + 20, legend, TREND_WIDTH - 16 - legendLeft, { size: LABEL_SIZE, fill: '#444444' });
  if (significant) parts.push(`<circle cx="${PLOT.left - 42}" cy="${labelsBottom + 16}" r="5" fill="none" stroke="#b35c00" stroke-width="2"/>`);
  parts.push(legendText.svg);
  return svgRoot(TREND_WIDTH, legendText.bottom + 10, input.title, description.join(' '), parts);
}
