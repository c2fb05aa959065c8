/**
 * Issue 17, what really changed: every scorecard figure with a previous period carries its change's 95%
 * interval and whether it is significant, so a dashboard highlights only real movements.
 */
import { expect, test } from 'vitest';
import { monthStart } from '../lib/internal-seed.ts';
import { api, createExternalRatings, createTenant, createUnit, externalRating } from './helpers.ts';

const at = (offset: number, hour: number) => new Date(Date.parse(`${monthStart(offset)}T00:00:00Z`) + hour * 3_600_000).toISOString();

test('a large movement is significant, a small one is not, and each says which test decided', async () => {
  const { apiKey } = await createTenant();
  const unit = await createUnit(apiKey.secret);
  // Two months ago: 40 clients, overall 2 and quality 3. Last month: 40 clients, overall 5 and quality 3 or 4 alternately.
  await createExternalRatings(apiKey.secret, [
    ...Array.from({ length: 40 }, (_, j) => externalRating(unit.id, { occurredAt: at(-2, j + 1), overall: 2, quality: 3, recommend: j % 2 ? 9 : 7 })),
    ...Array.from({ length: 40 }, (_, j) => externalRating(unit.id, { occurredAt: at(-1, j + 1), overall: 5, quality: 3 + (j % 2), recommend: j % 2 ? 9 : 8 })),
  ]);
  const response = await api(`/v1/scorecard?interval=month&from=${monthStart(-1)}&to=${monthStart(0)}`, { key: apiKey.secret });
  expect(response.status).toBe(200);
  const { external } = ((await response.json()) as { periods: { external: Record<string, any> }[] }).periods[0]!;
  expect(external.csat).toMatchObject({ value: 1, trend: 1, change: { significant: true, test: 'two-proportion-z' } });
  expect(external.csat.change.interval.low).toBeGreaterThan(0.5);
  expect(external.overall).toMatchObject({ trend: 3, change: { significant: true, test: 'welch-t' } });
  // Quality 3 → 3.5 over 40 answers each: significant too; NPS +50 → +50: no change at all.
  expect(external.quality.change).toMatchObject({ significant: true, test: 'welch-t' });
  expect(external.nps).toMatchObject({ trend: 0, change: { significant: false, test: 'net-score-z' } });
  expect(external.nps.change.interval.low).toBeLessThan(0);
  expect(external.nps.change.interval.high).toBeGreaterThan(0);
  // An indicator nobody answered has no trend and no change.
  expect(external.cost).toMatchObject({ trend: null, change: null });
});
