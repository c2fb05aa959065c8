/** What the chart draws: a published cohort distribution and, when ranked, the tenant's own value. */
export interface ChartInput {
  title: string;
  /** e.g. "Region ES · month 2026-10-01 – 2026-11-01 · 12 organizations". */
  subtitle: string;
  distribution: { p10: number; p25: number; median: number; p75: number; p90: number } | null;
  /** Shown instead of the box when the cohort is suppressed. */
  suppressedReason?: string;
  own: { value: number; percentileRank: number } | null;
  /** Shown when the tenant is not ranked. */
  ownNote?: string;
}

export const CHART_WIDTH = 640;
const HEIGHT = 220;
export const AXIS = { left: 40, right: CHART_WIDTH - 40 };
const BOX_TOP = 90;
const BOX_BOTTOM = 140;
const MIDDLE = (BOX_TOP + BOX_BOTTOM) / 2;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Trims float noise so labels and coordinates read cleanly. */
const fmt = (value: number, digits = 2) => String(Number(value.toFixed(digits)));

const text = (x: number, y: number, content: string, attributes = '') =>
  `<text x="${fmt(x, 1)}" y="${y}"${attributes}>${escapeXml(content)}</text>`;

/** The axis spans the whiskers and the marker, padded, so nothing falls off it (a flat range is widened). */
function scaleFor(values: readonly number[]): (value: number) => number {
  let low = Math.min(...values);
  let high = Math.max(...values);
  const pad = high > low ? (high - low) * 0.08 : Math.max(Math.abs(low) * 0.05, 0.5);
  low -= pad;
  high += pad;
  return (value) => AXIS.left + ((value - low) / (high - low)) * (AXIS.right - AXIS.left);
}

/** A box and whiskers (p10–p90 whiskers, p25–p75 box, median line) with the tenant's marker, as standalone SVG. */
export function renderBenchmarkChart(input: ChartInput): string {
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="${HEIGHT}" viewBox="0 0 ${CHART_WIDTH} ${HEIGHT}" role="img" font-family="system-ui, sans-serif" font-size="13">`,
    `<title>${escapeXml(input.title)}</title>`,
    `<rect width="${CHART_WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    text(AXIS.left, 28, input.title, ' font-size="16" font-weight="600" fill="#111111"'),
    text(AXIS.left, 50, input.subtitle, ' fill="#444444"'),
  ];
  const d = input.distribution;
  if (!d) {
    parts.push(text(AXIS.left, MIDDLE, input.suppressedReason ?? 'No distribution to show.', ' fill="#444444"'));
  } else {
    const x = scaleFor([d.p10, d.p90, ...(input.own ? [input.own.value] : [])]);
    const [p10, p25, median, p75, p90] = [d.p10, d.p25, d.median, d.p75, d.p90].map(x) as [number, number, number, number, number];
    parts.push(
      `<line x1="${fmt(AXIS.left, 1)}" y1="${BOX_BOTTOM + 30}" x2="${fmt(AXIS.right, 1)}" y2="${BOX_BOTTOM + 30}" stroke="#999999"/>`,
      `<line x1="${fmt(p10, 1)}" y1="${MIDDLE}" x2="${fmt(p25, 1)}" y2="${MIDDLE}" stroke="#333333" stroke-width="2"/>`,
      `<line x1="${fmt(p75, 1)}" y1="${MIDDLE}" x2="${fmt(p90, 1)}" y2="${MIDDLE}" stroke="#333333" stroke-width="2"/>`,
      ...[p10, p90].map((at) => `<line x1="${fmt(at, 1)}" y1="${BOX_TOP + 12}" x2="${fmt(at, 1)}" y2="${BOX_BOTTOM - 12}" stroke="#333333" stroke-width="2"/>`),
      `<rect x="${fmt(p25, 1)}" y="${BOX_TOP}" width="${fmt(Math.max(p75 - p25, 1), 1)}" height="${BOX_BOTTOM - BOX_TOP}" fill="#cfe3f7" stroke="#1f5f99" stroke-width="2"/>`,
      `<line x1="${fmt(median, 1)}" y1="${BOX_TOP}" x2="${fmt(median, 1)}" y2="${BOX_BOTTOM}" stroke="#1f5f99" stroke-width="3"/>`,
      // Labels sit under the axis, alternating rows so close values do not overlap.
      ...(
        [
          ['p10', d.p10, p10],
          ['p25', d.p25, p25],
          ['median', d.median, median],
          ['p75', d.p75, p75],
          ['p90', d.p90, p90],
        ] as const
      ).map(([label, value, at], i) => text(at, BOX_BOTTOM + 48 + (i % 2) * 16, `${label} ${fmt(value)}`, ' text-anchor="middle" font-size="11" fill="#333333"')),
    );
    if (input.own) {
      const at = x(input.own.value);
      // Anchored away from the nearer edge so the label stays inside 640 px.
      const anchor = at < CHART_WIDTH / 3 ? 'start' : at > (2 * CHART_WIDTH) / 3 ? 'end' : 'middle';
      parts.push(
        `<line x1="${fmt(at, 1)}" y1="${BOX_TOP - 14}" x2="${fmt(at, 1)}" y2="${BOX_BOTTOM + 14}" stroke="#c0392b" stroke-width="3" data-marker="own"/>`,
        text(at, BOX_TOP - 20, `You: ${fmt(input.own.value)} (percentile ${fmt(input.own.percentileRank, 1)})`, ` text-anchor="${anchor}" font-weight="600" fill="#c0392b"`),
      );
    }
  }
  if (!input.own && input.ownNote) parts.push(text(AXIS.left, HEIGHT - 8, input.ownNote, ' font-size="12" fill="#444444"'));
  parts.push('</svg>');
  return parts.join('\n');
}
