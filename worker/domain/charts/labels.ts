import { textWidth } from './svg.ts';

/**
 * Label placement that cannot overlap: each label wants to sit centred on `x`; labels are packed
 * left to right into rows (lanes), a label taking the first row whose last label ends at least `gap`
 * before it starts, or a new row. Boxes are clamped inside [left, right], so a label near an edge
 * slides inwards rather than falling off. Widths are estimates that err wide (svg.ts, textWidth).
 */
export interface LabelRequest {
  x: number;
  text: string;
}

export interface PlacedLabel {
  text: string;
  /** Left edge of the label box: draw with text-anchor start. */
  left: number;
  width: number;
  /** Row index, 0 nearest the data. */
  row: number;
  /** Where the label wanted to be, for a leader line when it had to move. */
  x: number;
}

export function placeLabelsInRows(requests: readonly LabelRequest[], options: { left: number; right: number; fontSize: number; weight?: 'normal' | '600'; gap?: number }): PlacedLabel[] {
  const { left, right, fontSize, weight = 'normal', gap = 6 } = options;
  const rowEnds: number[] = [];
  const sorted = [...requests].sort((a, b) => a.x - b.x);
  return sorted.map((request) => {
    const width = Math.min(textWidth(request.text, fontSize, weight), right - left);
    const start = Math.min(Math.max(request.x - width / 2, left), right - width);
    let row = rowEnds.findIndex((end) => end + gap <= start);
    if (row === -1) row = rowEnds.push(-Infinity) - 1;
    rowEnds[row] = start + width;
    return { text: request.text, left: start, width, row, x: request.x };
  });
}

/**
 * Vertical placement along a margin: labels want to sit at `y` (their baseline); they are pushed apart
 * to at least `lineHeight` between baselines, kept within [top, bottom], in the order of their wish.
 */
export function spreadVertically(wishes: readonly number[], options: { top: number; bottom: number; lineHeight: number }): number[] {
  const { top, bottom, lineHeight } = options;
  const order = wishes.map((y, i) => ({ y, i })).sort((a, b) => a.y - b.y);
  const placed = order.map(({ y }) => Math.min(Math.max(y, top), bottom));
  for (let k = 1; k < placed.length; k++) placed[k] = Math.max(placed[k]!, placed[k - 1]! + lineHeight);
  // Pushed past the bottom: shift the tail back up, keeping the spacing.
  const overflow = (placed.at(-1) ?? bottom) - bottom;
  if (overflow > 0) {
    placed[placed.length - 1] = bottom;
    for (let k = placed.length - 2; k >= 0; k--) placed[k] = Math.min(placed[k]!, placed[k + 1]! - lineHeight);
  }
  const result: number[] = new Array(wishes.length);
  order.forEach(({ i }, k) => (result[i] = placed[k]!));
  return result;
}
