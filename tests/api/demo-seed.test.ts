/**
 * The demo's top-up (`seedDemo`, run by `npm start` and every quarter of an hour): written in pieces, a
 * day is the day written at once, counted once in the rollups, and a call with nothing new says so.
 * Before, the current day was drawn only as far as it had gone and never finished: a start at 00:17
 * wrote a day of no ratings, and every restart that day "wrote" it again and recomputed the benchmarks.
 */
import { expect, inject, test } from 'vitest';
import { DAY_MS } from '../../db/pool/generate.ts';
import { demoDay, seedDemo } from '../../db/pool/demo.ts';
import { createTenant, ownerPool } from './helpers.ts';

const pool = ownerPool();
const day = '2026-06-10';
const at = (time: string) => new Date(`${day}T${time}Z`);

async function counts(tenantId: string) {
  const { rows } = await pool.query<{ ratings: number; rolled: number; staff: number; rolledStaff: number; today: number }>(
    `select (select count(*)::int from external_ratings where tenant_id = $1) as ratings,
            (select coalesce(sum(ratings), 0)::int from external_rollups where tenant_id = $1) as rolled,
            (select count(*)::int from internal_ratings where tenant_id = $1) as staff,
            (select coalesce(sum(respondents), 0)::int from internal_rollups where tenant_id = $1) as "rolledStaff",
            (select count(*)::int from external_ratings where tenant_id = $1 and occurred_at >= $2::date and occurred_at < $2::date + 1) as today`,
    [tenantId, day],
  );
  return rows[0]!;
}

test('a day written in three pieces is the whole day drawn at once, each rating counted once; nothing new is up to date', async () => {
  const { tenant } = await createTenant({ name: 'Demo top-up' });
  const url = inject('ownerDatabaseUrl');

  const first = await seedDemo(url, tenant.id, at('00:17:00'));
  expect(first).toMatchObject({ created: true, endedMonths: true });
  const afterFirst = await counts(tenant.id);
  expect(afterFirst.rolled).toBe(afterFirst.ratings);

  const noon = await seedDemo(url, tenant.id, at('12:00:00'));
  expect(noon).toMatchObject({ created: false, endedMonths: false, internalRatings: 0 });
  expect(noon.externalRatings).toBeGreaterThan(0);
  expect(await seedDemo(url, tenant.id, at('12:00:00'))).toMatchObject({ externalRatings: 0, internalRatings: 0 });

  const end = await seedDemo(url, tenant.id, new Date(at('00:00:00').getTime() + DAY_MS - 1));
  expect(end.endedMonths).toBe(false);
  const written = await counts(tenant.id);
  expect(written.rolled).toBe(written.ratings);
  expect(written.rolledStaff).toBe(written.staff);
  expect(written.ratings).toBe(afterFirst.ratings + noon.externalRatings + end.externalRatings);

  // The story's improvement runs from its first day: the first of the month a year before.
  const { rows } = await pool.query<{ first: string }>(`select (min(occurred_at) at time zone 'UTC')::date::text as first from external_ratings where tenant_id = $1`, [tenant.id]);
  const whole = demoDay(tenant.id, at('00:00:00'), new Date(`${rows[0]!.first}T00:00:00Z`));
  expect(written.today).toBe(whole.external.length);

  // A new month: the ratings of the one just ended are there for its benchmarks.
  expect(await seedDemo(url, tenant.id, new Date('2026-07-01T00:30:00Z'))).toMatchObject({ endedMonths: true });
}, 60_000);
