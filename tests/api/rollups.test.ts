/**
 * The rollups kept by every write and erasure equal a recomputation from the raw rows (tests/lib/rollups.ts),
 * after a random mix of single and batch writes of both kinds and erasures by customerRef, so it
 * checks the incremental upserts, concurrent ones included, and the subtractions; the totals below
 * check the definitions themselves against the inputs, computed here in plain TypeScript.
 */
import { type SQL, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, test } from 'vitest';
import { mulberry32 } from '../../db/pool/random.ts';
import { compareRollups, query as runQuery, ROLLUP_TABLES } from '../lib/rollups.ts';
import { monthStart } from '../lib/internal-seed.ts';
import { api, type CreatedTenant, createTenant, createUnit, internalRating, internalWriterKey, ownerPool, utcDate } from './helpers.ts';

const SEED = Number(process.env.ROLLUP_SEED ?? 20261123);
const OPERATIONS = 48;
/** Operations in flight at once, so upserts into the same rollup rows race. */
const CONCURRENCY = 4;

const owner = ownerPool(2);

/** The pool's seeded PRNG, so a failing mix can be replayed with ROLLUP_SEED. */
const rng = mulberry32(SEED);
/** `value`, or null with probability `p`. */
const maybe = <T>(value: T, p = 0.3): T | null => (rng.chance(p) ? null : value);

let tenant: CreatedTenant;
let units: string[];
/** Internal ratings take a key of their own (internal-ratings:write), which admin does not imply. */
let writer: string;

type External = Record<string, unknown> & { overall: number; customerKind: string };
type Internal = Record<string, unknown>;
const externals: External[] = [];
const internals: Internal[] = [];
/** External ratings erased in the mix, so a run that erased nothing does not pass for one that did. */
let erased = 0;

function externalRating(): External {
  const indicators = { quality: maybe(rng.int(1, 5)), quantity: maybe(rng.int(1, 5)), opportunity: maybe(rng.int(1, 5)), cost: maybe(rng.int(1, 5)) };
  if (Object.values(indicators).every((v) => v === null)) indicators.cost = rng.int(1, 5);
  const overall = rng.int(1, 5);
  return {
    unitId: rng.pick(units),
    // Up to four days back at any minute, so ratings straddle UTC midnights.
    occurredAt: new Date(Date.now() - rng.int(1, 4 * 24 * 60) * 60_000).toISOString(),
    ...indicators,
    overall,
    recommend: maybe(rng.int(0, 10)),
    customerKind: rng.pick(['occasional', 'recurring']),
    channel: rng.pick(['in-person', 'phone', 'web']),
    blamedComponent: overall <= 3 ? maybe(rng.pick(['product', 'procedures', 'facilities', 'systems-equipment', 'information', 'people']), 0.5) : null,
    blamesAttitude: overall <= 3 ? maybe(rng.chance(0.7), 0.3) : null,
    comment: maybe('seeded', 0.8),
    customerRef: maybe(`customer-${rng.int(1, 6)}`, 0.5),
  };
}

function internalRatingInput(): Internal {
  const score = () => rng.int(1, 5);
  return internalRating(rng.pick(units), {
    // Up to three days back, but in the current month: an ended month takes no more internal ratings.
    occurredOn: [utcDate(rng.int(-3, 1)), monthStart(0)].sort().at(-1)!,
    commitments: score(),
    internalCulture: score(),
    empowerment: score(),
    recognition: score(),
    leadershipSupport: score(),
    knowledge: score(),
    ability: score(),
    willingness: score(),
    tenureBand: rng.pick(['new', 'established']),
    role: rng.pick(['frontline', 'support', 'leader']),
    recommendEmployer: maybe(rng.int(0, 10)),
  });
}

interface Operation {
  /** Erasures run alone, so the model below knows which ratings they took. */
  exclusive: boolean;
  run: () => Promise<void>;
}

/** Erases every external rating of one `customer-N` reference through the API, and from the model. */
function erasure(): Operation {
  const ref = `customer-${rng.int(1, 6)}`;
  return {
    exclusive: true,
    run: async () => {
      const response = await api(`/v1/external-ratings?customerRef=${ref}`, { method: 'DELETE', key: tenant.apiKey.secret });
      if (response.status !== 200) throw new Error(`erasing ${ref}: ${response.status} ${await response.text()}`);
      const before = externals.length;
      for (let i = externals.length - 1; i >= 0; i--) if (externals[i]!.customerRef === ref) externals.splice(i, 1);
      expect(((await response.json()) as { erased: number }).erased).toBe(before - externals.length);
      erased += before - externals.length;
    },
  };
}

/** One random write or erasure through the API; what a write sent is recorded once it succeeded. */
function operation(): Operation {
  if (rng.next() < 0.15) return erasure();
  const kind = rng.pick(['external', 'external-batch', 'internal', 'internal-batch'] as const);
  const batch = kind.endsWith('-batch');
  const make = kind.startsWith('external') ? externalRating : internalRatingInput;
  const items = Array.from({ length: batch ? rng.int(1, 150) : 1 }, make);
  const path = `/v1/${kind.startsWith('external') ? 'external' : 'internal'}-ratings${batch ? '/batch' : ''}`;
  return {
    exclusive: false,
    run: async () => {
      const key = kind.startsWith('external') ? tenant.apiKey.secret : writer;
      const response = await api(path, { method: 'POST', key, json: batch ? { items } : items[0] });
      if (response.status !== 201) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      (kind.startsWith('external') ? externals : internals).push(...(items as External[]));
    },
  };
}

beforeAll(async () => {
  console.log(`rollups: seed ${SEED} (replay with ROLLUP_SEED=${SEED})`);
  tenant = await createTenant({ name: 'Rollups' });
  units = await Promise.all([1, 2, 3].map(async () => (await createUnit(tenant.apiKey.secret)).id));
  writer = await internalWriterKey(tenant.apiKey.secret);
  const pending = Array.from({ length: OPERATIONS }, operation);
  while (pending.length > 0) {
    const group = [pending.shift()!];
    while (!group[0]!.exclusive && group.length < CONCURRENCY && pending[0] && !pending[0].exclusive) group.push(pending.shift()!);
    await Promise.all(group.map((op) => op.run()));
  }
}, 120_000);

const query = (statement: SQL) => runQuery(owner, statement);

describe.each(ROLLUP_TABLES)('$table', (rollup) => {
  test('equal a recomputation from the raw rows, row for row', async () => {
    const { live, recomputed, empty } = await compareRollups(owner, rollup, tenant.tenant.id);
    for (const row of empty) for (const [column, value] of Object.entries(row)) if (typeof value === 'number') expect(value, column).toBe(0);
    expect(recomputed.length).toBeGreaterThan(10);
    expect(live).toEqual(recomputed);
  });
});

const sum = <T>(rows: T[], value: (row: T) => number | boolean | null | undefined) => rows.reduce((total, row) => total + Number(value(row) ?? 0), 0);

test('external totals match the definitions, computed from the inputs', async () => {
  const [totals] = await query(sql`select sum(ratings)::int as ratings, sum(satisfied)::int as satisfied, sum(dissatisfied)::int as dissatisfied,
    sum(dissatisfied_blaming_attitude)::int as dba, sum(recommend_n)::int as recommend_n, sum(promoters)::int as promoters,
    sum(detractors)::int as detractors, sum(quality_n)::int as quality_n, sum(quality_sum_sq)::int as quality_sum_sq,
    sum(blamed_people)::int as blamed_people
    from external_rollups where tenant_id = ${tenant.tenant.id}`);
  const q = (r: External) => r.quality as number | null;
  expect(erased).toBeGreaterThan(0);
  expect(totals).toEqual({
    ratings: externals.length,
    satisfied: sum(externals, (r) => r.overall >= 4),
    dissatisfied: sum(externals, (r) => r.overall <= 2),
    dba: sum(externals, (r) => r.overall <= 2 && r.blamesAttitude === true),
    recommend_n: sum(externals, (r) => r.recommend !== null),
    promoters: sum(externals, (r) => r.recommend !== null && (r.recommend as number) >= 9),
    detractors: sum(externals, (r) => r.recommend !== null && (r.recommend as number) <= 6),
    quality_n: sum(externals, (r) => q(r) !== null),
    quality_sum_sq: sum(externals, (r) => (q(r) ?? 0) ** 2),
    blamed_people: sum(externals, (r) => r.blamedComponent === 'people'),
  });
});

test('internal totals match the definitions, computed from the inputs', async () => {
  const [totals] = await query(sql`select sum(respondents)::int as respondents, sum(support_total_sum)::int as support_total_sum,
    sum(willingness_favourable)::int as favourable, sum(employer_promoters)::int as promoters, sum(employer_detractors)::int as detractors
    from internal_rollups where tenant_id = ${tenant.tenant.id}`);
  const n = (r: Internal, field: string) => r[field] as number;
  expect(totals).toEqual({
    respondents: internals.length,
    support_total_sum: sum(internals, (r) => ['commitments', 'internalCulture', 'empowerment', 'recognition', 'leadershipSupport'].reduce((t, f) => t + n(r, f), 0)),
    favourable: sum(internals, (r) => n(r, 'willingness') >= 4),
    promoters: sum(internals, (r) => r.recommendEmployer !== null && n(r, 'recommendEmployer') >= 9),
    detractors: sum(internals, (r) => r.recommendEmployer !== null && n(r, 'recommendEmployer') <= 6),
  });
});

