/**
 * Small-group suppression of internal figures (DOMAIN.md, "Privacy thresholds"), over a tree of
 * groups (units under their parents, the tenant over its root units) whose figures each cover the
 * group's own respondents and all its descendants'.
 *
 * Primary: a group of 1 to `minimum − 1` respondents is suppressed. A group of 0 is not: it has no
 * figures to hide (they read as null with n 0), and suppressing it would protect nobody.
 *
 * Complementary, as Microsoft Viva Glint does: whoever sees the visible groups can subtract them
 * from each other. For a visible group V, its "residue" is V minus its maximal visible descendants
 * (those with no visible group in between): V's own respondents plus everyone in the suppressed
 * groups between. The residue's figures are recoverable by subtraction, so it must hold 0 or at
 * least `minimum` respondents. When it does not, the smallest of those visible descendants whose
 * suppression adds someone to the residue is suppressed too, or V itself when there is none; this
 * repeats until every visible group's residue is safe (each step hides one more group, so it ends).
 */

export interface GroupCount {
  id: string;
  /** null, or an id that is not among the groups: a root. */
  parentId: string | null;
  /** Respondents of this group alone, not of its descendants. */
  respondents: number;
}

export type SuppressionReason = 'too-few-respondents' | 'complementary';

export interface Suppression {
  /** Respondents of each group with its descendants: the n its figures cover. */
  totals: Map<string, number>;
  /** Only the suppressed groups. */
  suppressed: Map<string, SuppressionReason>;
}

export function suppressSmallGroups(groups: readonly GroupCount[], minimum: number): Suppression {
  const byId = new Map(groups.map((group) => [group.id, group]));
  const children = new Map<string, string[]>(groups.map((group) => [group.id, []]));
  for (const group of groups) {
    if (group.parentId !== null && byId.has(group.parentId)) children.get(group.parentId)!.push(group.id);
  }
  const depth = new Map<string, number>();
  const depthOf = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    const parentId = byId.get(id)!.parentId;
    const value = parentId !== null && byId.has(parentId) ? depthOf(parentId) + 1 : 0;
    depth.set(id, value);
    return value;
  };
  // Deepest first: a group's descendants are settled before its own residue is checked.
  const deepestFirst = [...groups].map((group) => group.id).sort((a, b) => depthOf(b) - depthOf(a) || (a < b ? -1 : 1));

  const totals = new Map<string, number>();
  for (const id of deepestFirst) {
    totals.set(id, byId.get(id)!.respondents + children.get(id)!.reduce((sum, child) => sum + totals.get(child)!, 0));
  }

  const suppressed = new Map<string, SuppressionReason>();
  for (const id of deepestFirst) {
    const total = totals.get(id)!;
    if (total > 0 && total < minimum) suppressed.set(id, 'too-few-respondents');
  }

  /** The visible descendants of `id` with no visible group in between. */
  const frontier = (id: string): string[] =>
    children.get(id)!.flatMap((child) => (suppressed.has(child) ? frontier(child) : [child]));
  const residue = (id: string) => totals.get(id)! - frontier(id).reduce((sum, member) => sum + totals.get(member)!, 0);
  const unsafe = (respondents: number) => respondents > 0 && respondents < minimum;

  let changed = true;
  while (changed) {
    changed = false;
    for (const id of deepestFirst) {
      if (suppressed.has(id) || !unsafe(residue(id))) continue;
      const candidates = frontier(id)
        .filter((member) => residue(member) > 0)
        .sort((a, b) => totals.get(a)! - totals.get(b)! || (a < b ? -1 : 1));
      suppressed.set(candidates[0] ?? id, 'complementary');
      changed = true;
    }
  }
  return { totals, suppressed };
}
