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
