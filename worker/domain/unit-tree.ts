/** A unit as the tree knows it: its id and its parent's. */
export interface UnitNode {
  id: string;
  parentId: string | null;
}

/** The unit `root` and every unit below it. */
export function subtree(units: readonly UnitNode[], root: string): Set<string> {
  const inside = new Set([root]);
  // A Set visits what is added while iterating, so this walks down level by level.
  for (const id of inside) for (const unit of units) if (unit.parentId === id) inside.add(unit.id);
  return inside;
}
