import { tickLabels, ticksWithin } from './charts/axis.ts';
import { placeLabelsInRows } from './charts/labels.ts';
import { MEASURE_DISPLAY, periodLabel } from './charts/format.ts';
import { fmt, svgRoot, svgText, wrappedText } from './charts/svg.ts';
import { MEASURE_RANGES, type Measure } from './measures.ts';

export { escapeXml } from './charts/svg.ts';

/** What the chart draws: a published cohort distribution and, when ranked, the tenant's own value. */
export interface ChartInput {
  title: string;
  /** e.g. "Region ES · October 2026 · 12 organizations". */
  subtitle: string;
  distribution: { p10: number; p25: number; median: number; p75: number; p90: number } | null;
  /** Shown instead of the box when the cohort is suppressed. */
  suppressedReason?: string;
  own: { value: number; percentileRank: number } | null;
  /** Shown when the tenant is not ranked. */
  ownNote?: string;
  /** How values print (default: up to two decimals), e.g. shares as percentages. */
  format?: (value: number) => string;
  /** Which way is better; marked on the axis when given. */
  better?: 'higher' | 'lower';
  /** The measure's own scale, which the axis does not pass. */
  scale?: { min: number; max: number };
}

export const CHART_WIDTH = 640;
/** The least height; a chart whose labels need more rows grows. */
const MIN_HEIGHT = 220;
export const AXIS = { left: 40, right: CHART_WIDTH - 40 };
const TEXT_WIDTH = AXIS.right - AXIS.left;
const BOX_HEIGHT = 40;
const LABEL_SIZE = 11;
const ROW = 15;

/** A box and whiskers (p10–p90 whiskers, p25–p75 box, median line) with the tenant's marker, as standalone SVG. */
export function renderBenchmarkChart(input: ChartInput): string {
  const format = input.format ?? ((value: number) => fmt(value));
  const parts: string[] = [];
  const title = wrappedText(AXIS.left, 28, input.title, TEXT_WIDTH, { size: 16, weight: '600', fill: '#111111' });
  const subtitle = wrappedText(AXIS.left, title.bottom + 18, input.subtitle, TEXT_WIDTH, { size: 13, fill: '#444444' });
  parts.push(title.svg, subtitle.svg);
  let y = subtitle.bottom;
  const d = input.distribution;
  const description: string[] = [input.subtitle];
  if (!d) {
    const reason = wrappedText(AXIS.left, y + 40, input.suppressedReason ?? 'No distribution to show.', TEXT_WIDTH, { size: 13, fill: '#444444' });
    parts.push(reason.svg);
    description.push(input.suppressedReason ?? 'No distribution to show.');
    y = reason.bottom + 10;
  } else {
    const values = [d.p10, d.p90, ...(input.own ? [input.own.value] : [])];
    const { ticks, low, high } = ticksWithin(Math.min(...values), Math.max(...values), 6, input.scale);
    const x = (value: number) => AXIS.left + ((value - low) / (high - low)) * (AXIS.right - AXIS.left);
    const ownY = y + 22;
    const boxTop = ownY + 10;
    const middle = boxTop + BOX_HEIGHT / 2;
    const axisY = boxTop + BOX_HEIGHT + 12;
    const [p10, p25, median, p75, p90] = [d.p10, d.p25, d.median, d.p75, d.p90].map(x) as [number, number, number, number, number];
    parts.push(
      `<line x1="${AXIS.left}" y1="${axisY}" x2="${AXIS.right}" y2="${axisY}" stroke="#666666"/>`,
      ...ticks.map((tick) => `<line x1="${fmt(x(tick), 1)}" y1="${axisY}" x2="${fmt(x(tick), 1)}" y2="${axisY + 5}" stroke="#666666"/>`),
      `<line x1="${fmt(p10, 1)}" y1="${middle}" x2="${fmt(p25, 1)}" y2="${middle}" stroke="#333333" stroke-width="2"/>`,
      `<line x1="${fmt(p75, 1)}" y1="${middle}" x2="${fmt(p90, 1)}" y2="${middle}" stroke="#333333" stroke-width="2"/>`,
      ...[p10, p90].map((at) => `<line x1="${fmt(at, 1)}" y1="${boxTop + 12}" x2="${fmt(at, 1)}" y2="${boxTop + BOX_HEIGHT - 12}" stroke="#333333" stroke-width="2"/>`),
      `<rect x="${fmt(p25, 1)}" y="${boxTop}" width="${fmt(Math.max(p75 - p25, 1), 1)}" height="${BOX_HEIGHT}" fill="#cfe3f7" stroke="#1f5f99" stroke-width="2"/>`,
      `<line x1="${fmt(median, 1)}" y1="${boxTop}" x2="${fmt(median, 1)}" y2="${boxTop + BOX_HEIGHT}" stroke="#1f5f99" stroke-width="3"/>`,
    );
    // Tick values in one row (the direction of "better" beside the end it points to), then the
    // quantiles' own labels in as many rows as they need so none overlaps another.
    const tickTexts = tickLabels(ticks, format);
    const tickRequests = ticks.map((tick, i) => ({ x: x(tick), text: tickTexts[i]! }));
    const tickRows = placeLabelsInRows(tickRequests, { left: AXIS.left - 30, right: AXIS.right + 30, fontSize: LABEL_SIZE });
    const tickBottom = axisY + 18 + Math.max(0, ...tickRows.map((l) => l.row)) * ROW;
    for (const label of tickRows) parts.push(svgText(label.left, axisY + 18 + label.row * ROW, label.text, { size: LABEL_SIZE, fill: '#444444' }));
    // Quantiles that print the same share one label ("p75 = p90 100%"), so equal values do not stack up.
    const named = (
      [
        ['p10', d.p10, p10],
        ['p25', d.p25, p25],
        ['median', d.median, median],
        ['p75', d.p75, p75],
        ['p90', d.p90, p90],
      ] as const
    ).map(([name, value, at]) => ({ name, text: format(value), at }));
    const groups: { names: string[]; text: string; at: number }[] = [];
    for (const q of named) {
      const last = groups.at(-1);
      if (last?.text === q.text) last.names.push(q.name);
      else groups.push({ names: [q.name], text: q.text, at: q.at });
    }
    const quantiles = placeLabelsInRows(
      groups.map((g) => ({ x: g.at, text: `${g.names.join(' = ')} ${g.text}` })),
      { left: 4, right: CHART_WIDTH - 4, fontSize: LABEL_SIZE },
    );
    const quantileTop = tickBottom + 20;
    for (const label of quantiles) parts.push(svgText(label.left, quantileTop + label.row * ROW, label.text, { size: LABEL_SIZE, fill: '#222222' }));
    y = quantileTop + Math.max(0, ...quantiles.map((l) => l.row)) * ROW + 4;
    description.push(`Peers: ${quantiles.map((l) => l.text).join(', ')}.`);
    if (input.better) {
      const note = input.better === 'higher' ? 'Further right is better →' : '← Further left is better';
      y += 18;
      parts.push(svgText(input.better === 'higher' ? AXIS.right : AXIS.left, y, note, { size: LABEL_SIZE, fill: '#444444', anchor: input.better === 'higher' ? 'end' : 'start' }));
      description.push(note.replace(/[←→]/g, '').trim() + '.');
    }
    if (input.own) {
      const at = x(input.own.value);
      const [own] = placeLabelsInRows([{ x: at, text: `You: ${format(input.own.value)} (percentile ${fmt(input.own.percentileRank, 1)})` }], {
        left: 4,
        right: CHART_WIDTH - 4,
        fontSize: 13,
        weight: '600',
      });
      parts.push(
        `<line x1="${fmt(at, 1)}" y1="${boxTop - 6}" x2="${fmt(at, 1)}" y2="${boxTop + BOX_HEIGHT + 6}" stroke="#b03a2e" stroke-width="3" data-marker="own"/>`,
        svgText(own!.left, ownY, own!.text, { size: 13, weight: '600', fill: '#b03a2e' }),
      );
      description.push(own!.text + '.');
    }
  }
  if (!input.own && input.ownNote) {
    const note = wrappedText(AXIS.left, y + 18, input.ownNote, TEXT_WIDTH, { size: 12, fill: '#444444' });
    parts.push(note.svg);
    description.push(input.ownNote);
    y = note.bottom;
  }
  return svgRoot(CHART_WIDTH, Math.max(MIN_HEIGHT, y + 10), input.title, description.join(' '), parts);
}

/** A benchmark as GET /v1/benchmarks answers it: what the chart of it is drawn from. */
export interface BenchmarkView {
  measure: Measure;
  cohort: { kind: 'all' | 'industry' | 'sizeBand' | 'region'; value: string | null };
  period: { start: string; end: string };
  distribution: { suppressed: false; organizations: number; p10: number; p25: number; median: number; p75: number; p90: number } | { suppressed: true; reason: string };
  own: { ranked: true; value: number; percentileRank: number } | { ranked: false; detail: string };
}

function cohortLabel({ kind, value }: BenchmarkView['cohort']): string {
  if (kind === 'all' || value === null) return 'All participants';
  if (kind === 'sizeBand') return `Size band ${value} employees`;
  return `${kind === 'industry' ? 'Industry' : 'Region'} ${value}`;
}

/** The chart of a benchmark in a manager's words: the measure's title, its scale and format, the better direction. */
export function benchmarkChartInput(benchmark: BenchmarkView): ChartInput {
  const display = MEASURE_DISPLAY[benchmark.measure];
  const { distribution, own } = benchmark;
  return {
    title: `${display.title}: you and your peers`,
    subtitle: [cohortLabel(benchmark.cohort), periodLabel(benchmark.period.start, benchmark.period.end), ...(distribution.suppressed ? [] : [`${distribution.organizations} organizations`])].join(' · '),
    distribution: distribution.suppressed ? null : distribution,
    ...(distribution.suppressed ? { suppressedReason: distribution.reason } : {}),
    own: own.ranked ? own : null,
    ...(own.ranked ? {} : { ownNote: `Not ranked: ${own.detail}` }),
    format: display.format,
    better: display.better,
    scale: MEASURE_RANGES[benchmark.measure],
  };
}
