import { type Measure, MEASURE_RANGES } from '../measure-registry.ts';
import { MEASURE_DISPLAY, periodLabel } from './format.ts';
import { escapeXml, fmt, svgRoot, svgText, textWidth, wrappedText, wrapText } from './svg.ts';

/**
 * The unit heatmap as standalone SVG: a row per unit, a column per measure, each cell coloured by how
 * far its value sits from a reference (the cohort median, else the target), on a diverging scale
 * whose sides are "better" and "worse" whichever way the measure points. Cells keep their value as
 * text, so the colour is never the only carrier; long unit names are cut with "…" and keep their
 * full name in a <title>.
 */
export interface HeatmapColumn {
  title: string;
  format: (value: number) => string;
  better: 'higher' | 'lower';
  /** The measure's scale (max − min): a difference is judged against it. */
  span: number;
}

export interface HeatmapChartCell {
  value: number | null;
  /** Withheld by the anonymity rule (value null). */
  withheld: boolean;
  /** What `difference` is taken from, if anything. */
  reference: 'median' | 'target' | null;
  /** value − reference. */
  difference: number | null;
  /** The change since the previous period, only when significant. */
  significantChange: 'up' | 'down' | null;
}

export interface HeatmapChartInput {
  title: string;
  subtitle: string;
  columns: HeatmapColumn[];
  rows: { name: string; cells: HeatmapChartCell[] }[];
}

const MARGIN = 16;
const LABEL_WIDTH = 200;
const COLUMN_WIDTH = 86;
const ROW_HEIGHT = 24;
const SIZE = 11;
const LINE = 14;
/** The least width, so the title, subtitle and legend have room even with one column. */
const MIN_WIDTH = 640;

/** The five steps of the diverging scale, worst first, with a text colour that keeps 4.5:1 on each. */
export const HEATMAP_STEPS = [
  { name: 'much worse', fill: '#b2182b', text: '#ffffff' },
  { name: 'worse', fill: '#f4a582', text: '#1a1a1a' },
  { name: 'about the same', fill: '#f7f7f7', text: '#1a1a1a' },
  { name: 'better', fill: '#92c5de', text: '#1a1a1a' },
  { name: 'much better', fill: '#2166ac', text: '#ffffff' },
] as const;
const NO_REFERENCE = { fill: '#ffffff', text: '#1a1a1a' };
const EMPTY = { fill: '#eeeeee', text: '#4a4a4a' };

/** Within 2.5% of the scale is "about the same"; beyond 7.5%, "much" better or worse. */
export function stepOf(difference: number, column: Pick<HeatmapColumn, 'better' | 'span'>): number {
  const signed = ((column.better === 'higher' ? 1 : -1) * difference) / column.span;
  if (signed <= -0.075) return 0;
  if (signed <= -0.025) return 1;
  if (signed < 0.025) return 2;
  if (signed < 0.075) return 3;
  return 4;
}

/** `text` cut with "…" to fit `width`. */
export function truncate(text: string, width: number, size: number): string {
  if (textWidth(text, size) <= width) return text;
  let cut = text.length - 1;
  while (cut > 1 && textWidth(`${text.slice(0, cut).trimEnd()}…`, size) > width) cut--;
  return `${text.slice(0, cut).trimEnd()}…`;
}

function cellText(cell: HeatmapChartCell, column: HeatmapColumn): string {
  if (cell.withheld) return 'hidden';
  if (cell.value === null) return '–';
  const arrow = cell.significantChange === 'up' ? ' ▲' : cell.significantChange === 'down' ? ' ▼' : '';
  return column.format(cell.value) + arrow;
}

function cellWords(cell: HeatmapChartCell, column: HeatmapColumn): string {
  if (cell.withheld) return 'hidden to protect anonymity';
  if (cell.value === null) return 'no answers';
  const parts = [column.format(cell.value)];
  if (cell.difference !== null && cell.reference) {
    const step = HEATMAP_STEPS[stepOf(cell.difference, column)]!.name;
    parts.push(`${step} ${step === 'about the same' ? 'as' : 'than'} the ${cell.reference === 'median' ? 'peers’ median' : 'target'}`);
  }
  if (cell.significantChange) parts.push(`significantly ${cell.significantChange === 'up' ? 'up' : 'down'} since the previous period`);
  return parts.join(', ');
}

export function heatmapWidth(columns: number): number {
  return Math.max(MIN_WIDTH, 2 * MARGIN + LABEL_WIDTH + columns * COLUMN_WIDTH);
}

export function renderHeatmapChart(input: HeatmapChartInput): string {
  const width = heatmapWidth(input.columns.length);
  const textWidthMax = width - 2 * MARGIN;
  const parts: string[] = [];
  const title = wrappedText(MARGIN, 26, input.title, textWidthMax, { size: 16, weight: '600', fill: '#111111' });
  const subtitle = wrappedText(MARGIN, title.bottom + 18, input.subtitle, textWidthMax, { size: 13, fill: '#444444' });
  parts.push(title.svg, subtitle.svg);

  // Column headings, wrapped within their column and set on a common bottom line.
  const gridLeft = MARGIN + LABEL_WIDTH;
  // Regular weight: "satisfaction", the longest word of a title, then fits a column without a cut.
  const headings = input.columns.map((column) => wrapText(column.title, COLUMN_WIDTH - 8, SIZE));
  const headingLines = Math.max(1, ...headings.map((lines) => lines.length));
  const headingTop = subtitle.bottom + 20;
  headings.forEach((lines, i) => {
    const x = gridLeft + i * COLUMN_WIDTH + COLUMN_WIDTH / 2;
    const first = headingTop + (headingLines - lines.length) * LINE;
    lines.forEach((line, k) => parts.push(svgText(x, first + k * LINE, line, { size: SIZE, fill: '#222222', anchor: 'middle' })));
  });
  const gridTop = headingTop + (headingLines - 1) * LINE + 8;

  const description = [`${input.subtitle}. ${input.rows.length} units by ${input.columns.length} measures; each cell is coloured by its distance from the peers’ median (or the target where there is none), blue better, red worse; ▲ ▼ mark significant changes since the previous period.`];
  input.rows.forEach((row, r) => {
    const y = gridTop + r * ROW_HEIGHT;
    const name = truncate(row.name, LABEL_WIDTH - 10, SIZE + 1);
    const label = svgText(MARGIN, y + ROW_HEIGHT / 2 + 4, name, { size: SIZE + 1, fill: '#1a1a1a' });
    parts.push(name === row.name ? label : `<g><title>${escapeXml(row.name)}</title>${label}</g>`);
    row.cells.forEach((cell, c) => {
      const column = input.columns[c]!;
      const x = gridLeft + c * COLUMN_WIDTH;
      const colours =
        cell.withheld || cell.value === null ? EMPTY : cell.difference === null || !cell.reference ? NO_REFERENCE : HEATMAP_STEPS[stepOf(cell.difference, column)]!;
      parts.push(
        `<rect x="${x}" y="${fmt(y, 1)}" width="${COLUMN_WIDTH}" height="${ROW_HEIGHT}" fill="${colours.fill}" stroke="#ffffff" stroke-width="2" data-cell="${cell.withheld ? 'withheld' : cell.value === null ? 'empty' : 'value'}"/>`,
        svgText(x + COLUMN_WIDTH / 2, y + ROW_HEIGHT / 2 + 4, cellText(cell, column), { size: SIZE, fill: colours.text, anchor: 'middle' }),
      );
    });
    description.push(`${row.name}: ${row.cells.map((cell, c) => `${input.columns[c]!.title} ${cellWords(cell, input.columns[c]!)}`).join('; ')}.`);
  });

  // The legend flows left to right and wraps: a swatch and its words per step, then the other states.
  const legend = [
    ...HEATMAP_STEPS.map((step) => ({ fill: step.fill, text: step.name })),
    { fill: NO_REFERENCE.fill, text: 'no median or target' },
    { fill: EMPTY.fill, text: '– no answers · hidden: fewer than 5 staff' },
    { fill: null, text: '▲ ▼ significant change' },
  ];
  let x = MARGIN;
  let y = gridTop + input.rows.length * ROW_HEIGHT + 22;
  const legendTitle = 'Against the peers’ median (or target):';
  parts.push(svgText(x, y, legendTitle, { size: SIZE, weight: '600', fill: '#222222' }));
  x += textWidth(legendTitle, SIZE, '600') + 10;
  for (const item of legend) {
    const itemWidth = (item.fill ? 18 : 0) + textWidth(item.text, SIZE) + 14;
    if (x + itemWidth > width - MARGIN) {
      x = MARGIN;
      y += LINE + 4;
    }
    if (item.fill) parts.push(`<rect x="${fmt(x, 1)}" y="${y - 10}" width="12" height="12" fill="${item.fill}" stroke="#6b7280"/>`);
    parts.push(svgText(x + (item.fill ? 18 : 0), y, item.text, { size: SIZE, fill: '#444444' }));
    x += itemWidth;
  }
  return svgRoot(width, y + 12, input.title, description.join(' '), parts);
}

/** A heatmap as GET /v1/heatmap answers it: what the chart of it is drawn from. */
export interface HeatmapView {
  period: { from: string; to: string };
  cohort: { kind: 'all' | 'industry' | 'sizeBand' | 'region'; value: string | null };
  measures: { measure: Measure; target: number | null }[];
  data: {
    unit: { name: string };
    cells: Partial<Record<Measure, { value: number | null; withheld: string | null; change: { difference: number; significant: boolean } | null; cohort: { difference: number | null } }>>;
  }[];
}

const PEERS = { all: 'all participants', industry: 'industry', sizeBand: 'size band', region: 'region' } as const;

/** The chart of a heatmap in a manager's words: measures' titles and formats, the period as people say it. */
export function heatmapChartInput(heatmap: HeatmapView): HeatmapChartInput {
  const columns = heatmap.measures.map(({ measure }) => {
    const display = MEASURE_DISPLAY[measure];
    return { title: display.title, format: display.format, better: display.better, span: MEASURE_RANGES[measure].max - MEASURE_RANGES[measure].min };
  });
  const peers = heatmap.cohort.kind === 'all' ? PEERS.all : `${PEERS[heatmap.cohort.kind]} ${heatmap.cohort.value ?? ''}`.trim();
  return {
    title: 'Units at a glance',
    subtitle: `${periodLabel(heatmap.period.from, heatmap.period.to)} · against the median of ${peers}, or your target`,
    columns,
    rows: heatmap.data.map((row) => ({
      name: row.unit.name,
      cells: heatmap.measures.map(({ measure, target }) => {
        const cell = row.cells[measure];
        const value = cell?.value ?? null;
        const [reference, difference] =
          cell?.cohort.difference != null ? (['median', cell.cohort.difference] as const) : value !== null && target !== null ? (['target', value - target] as const) : ([null, null] as const);
        const change = cell?.change?.significant ? cell.change.difference : 0;
        return { value, withheld: cell?.withheld != null, reference, difference, significantChange: change > 0 ? 'up' : change < 0 ? 'down' : null };
      }),
    })),
  };
}
