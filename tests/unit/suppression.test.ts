import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { type GroupCount, suppressSmallGroups } from '../../worker/domain/suppression.ts';

const MIN = 5;
const group = (id: string, parentId: string | null, respondents: number): GroupCount => ({ id, parentId, respondents });
const suppressedIds = (groups: GroupCount[]) => [...suppressSmallGroups(groups, MIN).suppressed.keys()].sort();

describe('suppressSmallGroups', () => {
  test('a group of 1-4 is suppressed, one of 0 is not, and totals include descendants', () => {
    const { totals, suppressed } = suppressSmallGroups(
      [group('root', null, 0), group('a', 'root', 3), group('b', 'root', 0), group('c', 'root', 6), group('d', 'root', 8)],
      MIN,
    );
    expect(totals.get('root')).toBe(17);
    expect(suppressed.get('a')).toBe('too-few-respondents');
    expect(suppressed.has('b')).toBe(false);
    // root − c − d = a: so c, the smallest sibling that hides anyone, goes too.
    expect(suppressed.get('c')).toBe('complementary');
    expect(suppressed.has('d')).toBe(false);
    expect(suppressed.has('root')).toBe(false);
  });

  test("a parent's own few respondents are protected like a child's", () => {
    // p − x − y would be p's own 2 respondents.
    expect(suppressedIds([group('p', null, 2), group('x', 'p', 10), group('y', 'p', 12)])).toEqual(['x']);
  });

  test('with no sibling to hide, the parent is suppressed, and so on upwards', () => {
    // p's own 3 cannot be hidden behind a: a's own residue is empty, hiding it would not help.
    const groups = [
      group('g', null, 0),
      group('p', 'g', 3),
      group('a', 'p', 0),
      group('a1', 'a', 5),
      group('a2', 'a', 6),
    ];
    const { suppressed } = suppressSmallGroups(groups, MIN);
    expect(suppressed.get('p')).toBe('complementary');
    expect(suppressed.get('g')).toBe('complementary');
    expect([...suppressed.keys()].sort()).toEqual(['g', 'p']);
  });

  test('nothing small, nothing suppressed', () => {
    expect(suppressedIds([group('r', null, 5), group('a', 'r', 5), group('b', 'r', 0)])).toEqual([]);
    expect(suppressedIds([])).toEqual([]);
  });
});

/** Random forests: each group's parent is an earlier group or none. */
const forests = fc
  .array(fc.record({ parent: fc.nat(), root: fc.boolean(), respondents: fc.oneof(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 40 })) }), {
    minLength: 1,
    maxLength: 14,
  })
  .map((specs) =>
    specs.map((spec, index) =>
      group(`g${index}`, index === 0 || spec.root ? null : `g${spec.parent % index}`, spec.respondents),
    ),
  );

describe('suppressSmallGroups, for any tree', () => {
  test('every group of 1-4 is suppressed, and no group of 0', () => {
    fc.assert(
      fc.property(forests, (groups) => {
        const { totals, suppressed } = suppressSmallGroups(groups, MIN);
        for (const { id } of groups) {
          const total = totals.get(id)!;
          if (total > 0 && total < MIN) expect(suppressed.get(id)).toBe('too-few-respondents');
          if (total === 0) expect(suppressed.has(id)).toBe(false);
        }
      }),
    );
  });

  test("no suppressed child's count is its visible parent minus the parent's visible children", () => {
    fc.assert(
      fc.property(forests, (groups) => {
        const { totals, suppressed } = suppressSmallGroups(groups, MIN);
        for (const parent of groups) {
          if (suppressed.has(parent.id)) continue;
          const children = groups.filter((g) => g.parentId === parent.id);
          const visibleSum = children.filter((c) => !suppressed.has(c.id)).reduce((sum, c) => sum + totals.get(c.id)!, 0);
          for (const child of children.filter((c) => suppressed.has(c.id))) {
            expect(totals.get(parent.id)! - visibleSum).not.toBe(totals.get(child.id));
          }
        }
      }),
    );
  });

  test('whatever subtraction of visible groups isolates holds 0 or at least 5 respondents', () => {
    // Naive reference: each group's own respondents fall to its nearest visible ancestor (or itself);
    // what falls to a visible group is exactly what subtracting visible groups can isolate.
    fc.assert(
      fc.property(forests, (groups) => {
        const { suppressed } = suppressSmallGroups(groups, MIN);
        const byId = new Map(groups.map((g) => [g.id, g]));
        const isolated = new Map<string, number>();
        for (const g of groups) {
          let holder: GroupCount | undefined = g;
          while (holder && suppressed.has(holder.id)) holder = holder.parentId === null ? undefined : byId.get(holder.parentId);
          if (holder) isolated.set(holder.id, (isolated.get(holder.id) ?? 0) + g.respondents);
        }
        for (const respondents of isolated.values()) expect(respondents === 0 || respondents >= MIN).toBe(true);
      }),
    );
  });
});
