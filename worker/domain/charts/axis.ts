/** "Nice" axis ticks (1, 2, 2.5, 5 × 10^k steps) spanning [min, max], about `count` of them. */
export function niceTicks(min: number, max: number, count = 5): { ticks: number[]; low: number; high: number } {
  // A flat (or nearly flat) range gets a span of its own: a zero step would never end.
  if (!(max - min > 1e-9 * Math.max(1, Math.abs(min)))) {
    const pad = Math.max(Math.abs(min) * 0.1, min === 0 ? 1 : 0.1);
    return niceTicks(min - pad, max + pad, count);
  }
  const rough = (max - min) / Math.max(count - 1, 1);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= rough)!;
  const low = Math.floor(min / step) * step;
  const high = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let v = low; v <= high + step / 2; v += step) ticks.push(Number(v.toFixed(10)));
  return { ticks, low, high };
}

/** Ticks as niceTicks gives them, cut to the measure's own scale (no 110% share, no NPS below −100). */
export function ticksWithin(min: number, max: number, count: number, scale?: { min: number; max: number }): { ticks: number[]; low: number; high: number } {
  const nice = niceTicks(min, max, count);
  if (!scale) return nice;
  const low = Math.max(nice.low, Math.min(scale.min, min));
  const high = Math.min(nice.high, Math.max(scale.max, max));
  return { ticks: nice.ticks.filter((tick) => tick >= low && tick <= high), low, high };
}

/** Tick labels that tell ticks apart: when `format` rounds two to the same text, more digits are shown. */
export function tickLabels(ticks: readonly number[], format: (value: number) => string): string[] {
  const labels = ticks.map(format);
  return new Set(labels).size === labels.length ? labels : ticks.map((tick) => String(Number(tick.toFixed(6))));
}
