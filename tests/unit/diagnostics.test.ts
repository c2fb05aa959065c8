import { describe, expect, test } from 'vitest';
import { EMPTY_EXTERNAL_TOTALS, EMPTY_INTERNAL_TOTALS, sumTotals } from '../../worker/db/rollup-totals.ts';
import { diagnose as diagnoseWith, type ExternalKindTotals, type ExternalUnitTotals, type InternalBandTotals, type InternalUnitTotals } from '../../worker/domain/diagnostics.ts';
import { monthStart, planDisclosure } from '../../worker/domain/disclosure.ts';

type ClientRow = ExternalUnitTotals & ExternalKindTotals;
type StaffRow = InternalUnitTotals & InternalBandTotals;
interface Input {
  units: { id: string; parentId: string | null }[];
  external: ClientRow[];
  internal: StaffRow[];
  unitId: string | null;
}

/** The unit and the units under it. */
function subtree(units: Input['units'], rootId: string): Set<string> {
  const ids = new Set([rootId]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const unit of units) if (unit.parentId !== null && ids.has(unit.parentId) && !ids.has(unit.id)) ids.add(unit.id), (grew = true);
  }
  return ids;
}

/** Rows summed by `key`, as worker/db/diagnostics.ts has SQL sum them. */
function summedBy<T extends object, K extends keyof T, S>(rows: T[], key: K, empty: S): (S & Pick<T, K>)[] {
  return [...new Set(rows.map((row) => row[key]))].map(
    (value) => ({ ...(sumTotals(rows.filter((row) => row[key] === value) as never[], empty as never) as object), [key]: value }) as S & Pick<T, K>,
  );
}

/**
 * Diagnostics of last month, with the disclosure rule deciding over the same totals (all last month).
 * The scope and the leaves are what the database hands over: the rows of the unit's subtree summed by
 * customer kind and tenure band, and the rows of units with none below them.
 */
function diagnose(input: Input) {
  const now = new Date();
  const month = monthStart(now, -1);
  const disclosure = planDisclosure({
    atoms: input.internal.map((row) => ({ unitId: row.unitId, month, tenureBand: row.tenureBand, role: 'frontline', respondents: row.respondents })),
    history: [],
    units: input.units,
    now,
  });
  const inScope = input.unitId === null ? () => true : (row: { unitId: string }) => subtree(input.units, input.unitId!).has(row.unitId);
  const parents = new Set(input.units.map((unit) => unit.parentId));
  const isLeaf = (row: { unitId: string }) => !parents.has(row.unitId);
  return diagnoseWith({
    scope: {
      external: summedBy(input.external.filter(inScope), 'customerKind', EMPTY_EXTERNAL_TOTALS),
      internal: summedBy(input.internal.filter(inScope), 'tenureBand', EMPTY_INTERNAL_TOTALS),
    },
    external: input.external.filter(isLeaf),
    internal: input.internal.filter(isLeaf),
    unitId: input.unitId,
    period: { kind: 'month', from: month, to: monthStart(now) },
    disclosure,
  });
}

/** Internal totals of `n` respondents who all gave the same scores. */
function staff(unitId: string, n: number, scores: { commitments: number; internalCulture: number; empowerment: number; recognition: number; leadership: number; willingness: number }, tenureBand: 'new' | 'established' = 'new'): StaffRow {
  const support = scores.commitments + scores.internalCulture + scores.empowerment + scores.recognition + scores.leadership;
  const moments = (x: number) => [n * x, n * x * x] as const;
  const [cs, css] = moments(scores.commitments);
  const [is, iss] = moments(scores.internalCulture);
  const [es, ess] = moments(scores.empowerment);
  const [rs, rss] = moments(scores.recognition);
  const [ls, lss] = moments(scores.leadership);
  const [ws, wss] = moments(scores.willingness);
  const [ss, sss] = moments(support);
  return {
    ...EMPTY_INTERNAL_TOTALS,
    unitId,
    tenureBand,
    respondents: n,
    commitmentsSum: cs, commitmentsSumSq: css,
    internalCultureSum: is, internalCultureSumSq: iss,
    empowermentSum: es, empowermentSumSq: ess,
    recognitionSum: rs, recognitionSumSq: rss,
    leadershipSupportSum: ls, leadershipSupportSumSq: lss,
    willingnessSum: ws, willingnessSumSq: wss,
    supportTotalSum: ss, supportTotalSumSq: sss,
    willingnessFavourable: scores.willingness >= 4 ? n : 0,
  };
}

function clients(unitId: string, totals: Partial<ClientRow>): ClientRow {
  return { ...EMPTY_EXTERNAL_TOTALS, unitId, customerKind: 'occasional', ...totals };
}

const willingButUnsupported = { commitments: 3, internalCulture: 3, empowerment: 1, recognition: 2, leadership: 3, willingness: 5 };
const units = [{ id: 'a', parentId: null }, { id: 'b', parentId: null }];

describe('diagnose', () => {
  test('the attitude paradox: high blame, willing staff, low support is organizational and names the weakest root cause', () => {
    const d = diagnose({
      units,
      external: [clients('a', { ratings: 20, satisfied: 5, dissatisfied: 10, dissatisfiedBlamingAttitude: 9, blamedProcedures: 6, blamedPeople: 3 })],
      internal: [staff('a', 6, willingButUnsupported)],
      unitId: null,
    });
    expect(d.attitudeParadox.blameShare).toMatchObject({ n: 10, share: 0.9 });
    expect(d.attitudeParadox.favourableWillingness).toMatchObject({ n: 6, share: 1 });
    // (3 + 3 + 1 + 2 + 3) / 5
    expect(d.attitudeParadox.supportIndex).toMatchObject({ n: 6, mean: 2.4 });
    expect(d.attitudeParadox.verdict).toBe('organizational');
    expect(d.rootCauses).toMatchObject({ weakest: 'empowerment' });
    const paradox = d.findings.find((f) => f.id === 'attitude-paradox')!;
    expect(paradox.text).toContain('90%');
    expect(paradox.text).toContain('100% of staff are willing and the support index is 2.4');
    expect(paradox.recommendation).toMatch(/^Fix empowerment \(the weakest root cause, 1\.0 of 5\)/);
    expect(paradox.supportedBy).toEqual([
      'attitudeParadox.blameShare',
      'attitudeParadox.favourableWillingness',
      'attitudeParadox.supportIndex',
      'rootCauses.means.empowerment',
    ]);
    // 15 ratings of 3 or less: 6 name procedures.
    expect(d.blame.unsatisfied).toBe(15);
    expect(d.blame.components.procedures).toMatchObject({ count: 6, share: { n: 15, share: 0.4 } });
    expect(d.findings.find((f) => f.id === 'most-blamed-component')?.supportedBy).toEqual(['blame.components.procedures']);
  });

  test('no paradox when support is high', () => {
    const supported = { commitments: 4, internalCulture: 4, empowerment: 4, recognition: 4, leadership: 4, willingness: 5 };
    const d = diagnose({
      units,
      external: [clients('a', { ratings: 10, dissatisfied: 10, dissatisfiedBlamingAttitude: 10 })],
      internal: [staff('a', 6, supported)],
      unitId: null,
    });
    expect(d.attitudeParadox.verdict).toBe('not-indicated');
    expect(d.findings.map((f) => f.id)).not.toContain('attitude-paradox');
  });

  test('fewer than 5 respondents: suppressed, no number, no finding', () => {
    const d = diagnose({
      units,
      external: [clients('a', { ratings: 10, dissatisfied: 10, dissatisfiedBlamingAttitude: 9 })],
      internal: [staff('a', 4, willingButUnsupported)],
      unitId: null,
    });
    for (const figure of [d.attitudeParadox.favourableWillingness, d.attitudeParadox.supportIndex, d.rootCauses, d.attitudeDecay.new]) {
      expect(figure).toEqual({ suppressed: true, reason: expect.stringContaining('Fewer than 5') });
    }
    expect(d.attitudeParadox.verdict).toBe('insufficient-data');
    expect(d.findings.map((f) => f.id)).toEqual([]);
  });

  test('a unit of 6 beside one of 3 is withheld too: the tenant minus it would reveal the 3', () => {
    const input = {
      units,
      external: [],
      internal: [staff('a', 6, willingButUnsupported), staff('b', 3, willingButUnsupported)],
    };
    expect(diagnose({ ...input, unitId: 'a' }).attitudeParadox.supportIndex).toMatchObject({ suppressed: true });
    expect(diagnose({ ...input, unitId: null }).attitudeParadox.supportIndex).toMatchObject({ n: 9 });
  });

  test('attitude decay: new vs established, and both withheld when one band is under 5', () => {
    const established = { ...willingButUnsupported, willingness: 3 };
    const d = diagnose({ units, external: [], internal: [staff('a', 6, willingButUnsupported, 'new'), staff('a', 8, established, 'established')], unitId: null });
    expect(d.attitudeDecay.new).toMatchObject({ n: 6, mean: 5 });
    expect(d.attitudeDecay.established).toMatchObject({ n: 8, mean: 3 });
    expect(d.attitudeDecay.difference).toMatchObject({ estimate: 2, standardError: 0 });

    const small = diagnose({ units, external: [], internal: [staff('a', 4, willingButUnsupported, 'new'), staff('a', 8, established, 'established')], unitId: null });
    expect(small.attitudeDecay.new).toMatchObject({ suppressed: true });
    expect(small.attitudeDecay.established).toMatchObject({ suppressed: true, reason: expect.stringContaining('subtraction') });
    expect(small.attitudeDecay.difference).toBeNull();
    expect(small.attitudeParadox.supportIndex).toMatchObject({ n: 12 });
  });

  test('occasional vs recurring: shares, their difference and a finding', () => {
    const d = diagnose({
      units,
      external: [
        clients('a', { customerKind: 'occasional', ratings: 20, dissatisfied: 20, dissatisfiedBlamingAttitude: 18 }),
        clients('a', { customerKind: 'recurring', ratings: 20, dissatisfied: 20, dissatisfiedBlamingAttitude: 4 }),
      ],
      internal: [],
      unitId: null,
    });
    const { occasional, recurring, difference } = d.blame.attitudeByCustomerKind;
    expect(occasional).toMatchObject({ n: 20, share: 0.9 });
    expect(recurring).toMatchObject({ n: 20, share: 0.2 });
    expect(difference!.estimate).toBeCloseTo(0.7);
    // √(0.9·0.1/20 + 0.2·0.8/20)
    expect(difference!.standardError).toBeCloseTo(Math.sqrt(0.25 / 20));
    expect(d.findings.find((f) => f.id === 'occasional-vs-recurring')?.text).toContain('(90%) than recurring ones (20%)');
  });

  test('service-profit link: only units with enough answers, null under 4', () => {
    const many = ['u1', 'u2', 'u3', 'u4', 'u5'].map((id) => ({ id, parentId: null }));
    const level = (i: number) => ({ commitments: i, internalCulture: i, empowerment: i, recognition: i, leadership: i, willingness: 4 });
    const input = {
      // u6 (no clients) keeps every other unit's complement at 5 or more, so their figures can be published.
      units: [...many, { id: 'u6', parentId: null }],
      external: many.map(({ id }, i) => clients(id, { ratings: 10, satisfied: 2 * (i + 1) })),
      // u5 has only 4 respondents: it does not qualify.
      internal: [...many.map(({ id }, i) => staff(id, i === 4 ? 4 : 5, level(i + 1))), staff('u6', 5, level(3))],
      unitId: null,
    };
    const link = diagnose(input).serviceProfitLink;
    expect(link.qualifyingUnits).toBe(4);
    expect(link.correlation).toMatchObject({ n: 4, r: expect.closeTo(1, 10) });
    const few = diagnose({ ...input, internal: input.internal.slice(0, 3) }).serviceProfitLink;
    expect(few).toMatchObject({ qualifyingUnits: 3, correlation: null, reason: expect.stringContaining('at least 4 units') });
  });

  test('a unit filter covers the unit and the units under it', () => {
    const tree = [{ id: 'a', parentId: null }, { id: 'a1', parentId: 'a' }, { id: 'b', parentId: null }];
    const d = diagnose({
      units: tree,
      external: [clients('a', { ratings: 3, dissatisfied: 3 }), clients('a1', { ratings: 2, dissatisfied: 2 }), clients('b', { ratings: 7, dissatisfied: 7 })],
      internal: [],
      unitId: 'a',
    });
    expect(d.attitudeParadox.blameShare?.n).toBe(5);
  });
});
