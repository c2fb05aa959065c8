/**
 * The attacker's algebra: each published internal cell is a linear equation (its count and sums)
 * over the respondents it covers. A set S of respondents has its total determined exactly when S's
 * indicator lies in the row space of the cells' membership vectors. Respondents that are in exactly
 * the same cells (an "atom") cannot be told apart, so S must be a union of whole atoms, and the
 * check runs over atoms: with N a basis of the null space of the cell × atom matrix, S is
 * determined iff the rows of N for S's atoms sum to zero.
 */

export interface Respondent {
  unitId: string;
  /** YYYY-MM-DD. */
  day: string;
  tenureBand: 'new' | 'established';
  role: 'frontline' | 'support' | 'leader';
}

/** A published cell: who it covers. */
export type Cell = (respondent: Respondent) => boolean;

const EPSILON = 1e-9;

/** Null-space rows per column of `rows` (0/1 entries), by Gaussian elimination in floating point. */
function nullSpaceRows(rows: number[][], columns: number): number[][] {
  const matrix = rows.map((row) => [...row]);
  const pivotOfColumn = new Map<number, number>();
  let rank = 0;
  for (let column = 0; column < columns && rank < matrix.length; column++) {
    let best = rank;
    for (let r = rank + 1; r < matrix.length; r++) if (Math.abs(matrix[r]![column]!) > Math.abs(matrix[best]![column]!)) best = r;
    if (Math.abs(matrix[best]![column]!) < EPSILON) continue;
    [matrix[rank], matrix[best]] = [matrix[best]!, matrix[rank]!];
    const pivot = matrix[rank]![column]!;
    for (let c = 0; c < columns; c++) matrix[rank]![c]! /= pivot;
    for (let r = 0; r < matrix.length; r++) {
      if (r === rank) continue;
      const factor = matrix[r]![column]!;
      if (Math.abs(factor) < EPSILON) continue;
      for (let c = 0; c < columns; c++) matrix[r]![c]! -= factor * matrix[rank]![c]!;
    }
    pivotOfColumn.set(column, rank);
    rank++;
  }
  const free = [...Array(columns).keys()].filter((column) => !pivotOfColumn.has(column));
  // Basis vector per free column f: x_f = 1, x_pivot(c) = −R[row(c)][f].
  return [...Array(columns).keys()].map((column) => {
    const row = pivotOfColumn.get(column);
    return free.map((f) => (row === undefined ? (f === column ? 1 : 0) : -matrix[row]![f]!));
  });
}

/**
 * Every set of 1 to `minimum − 1` respondents (as atom keys with their sizes) whose total the
 * published cells determine; empty when none is.
 */
export function determinedSmallGroups(respondents: readonly Respondent[], cells: readonly Cell[], minimum = 5): string[][] {
  const atoms = new Map<string, { example: Respondent; size: number }>();
  for (const respondent of respondents) {
    const signature = cells.map((cell) => (cell(respondent) ? '1' : '0')).join('');
    const atom = atoms.get(signature);
    if (atom) atom.size++;
    else atoms.set(signature, { example: respondent, size: 1 });
  }
  const list = [...atoms.entries()];
  const rows = cells.map((cell) => list.map(([, atom]) => (cell(atom.example) ? 1 : 0)));
  const nullRows = nullSpaceRows(rows, list.length);
  const small = list.map(([, atom], index) => ({ index, size: atom.size })).filter((atom) => atom.size < minimum);
  const found: string[][] = [];
  const search = (start: number, chosen: number[], size: number, sum: number[]) => {
    if (chosen.length > 0 && sum.every((value) => Math.abs(value) < 1e-6)) {
      found.push(chosen.map((index) => { const { example, size } = list[index]![1]; return `${size} × ${example.unitId} ${example.day} ${example.tenureBand} ${example.role}`; }));
      return;
    }
    for (let i = start; i < small.length; i++) {
      const atom = small[i]!;
      if (size + atom.size >= minimum) continue;
      search(i + 1, [...chosen, atom.index], size + atom.size, sum.map((value, k) => value + nullRows[atom.index]![k]!));
    }
  };
  search(0, [], 0, nullRows[0]?.map(() => 0) ?? []);
  return found;
}
