/**
 * The indicator cards draw the road from the API's figures (GET /v1/scorecard `targets`): baseline,
 * share travelled, road left and the pace by the deadline, in words.
 */
import { beforeAll, expect, test } from 'vitest';
import { api, createExternalRatings, createTenant, createUnit, externalRating, utcDate, workerUrl } from '../api/helpers.ts';
import { dayOfMonth, monthStart } from '../lib/internal-seed.ts';

let page: string;
let cookie: string;
let unit: string;

/** A tenant whose CSAT went 50% → 60% → 70% over the last three ended months (NPS flat at 0), with `targets`, signed in to the dashboard. */
async function dashboardWith(targets: (deadline: string) => object[]): Promise<{ page: string; cookie: string; unit: string }> {
  const { apiKey } = await createTenant({ name: 'Road dashboard' });
  const unit = (await createUnit(apiKey.secret)).id;
  const month = (offset: number, satisfied: number) =>
    Array.from({ length: 10 }, (_, i) =>
      externalRating(unit, { occurredAt: `${dayOfMonth(offset, 12)}T10:00:00Z`, overall: i < satisfied ? 5 : 2, recommend: i % 2 ? 10 : 0 }),
    );
  await createExternalRatings(apiKey.secret, [...month(-3, 5), ...month(-2, 6), ...month(-1, 7)]);
  const put = await api('/v1/targets', { method: 'PUT', key: apiKey.secret, json: { targets: targets(utcDate(400)) } });
  expect(put.status).toBe(200);
  const session = await fetch(`${workerUrl}/dashboard/session`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: workerUrl },
    body: new URLSearchParams({ apiKey: apiKey.secret }).toString(),
  });
  const cookie = session.headers.get('set-cookie')!.split(';')[0]!;
  const response = await fetch(`${workerUrl}/dashboard`, { headers: { Cookie: cookie } });
  expect(response.status).toBe(200);
  return { page: await response.text(), cookie, unit };
}

beforeAll(async () => {
  ({ page, cookie, unit } = await dashboardWith((deadline) => [
    { measure: 'csat', target: 0.8, baseline: { period: monthStart(-3).slice(0, 7) }, deadline },
    { measure: 'nps', target: 40, baseline: { period: monthStart(-3).slice(0, 7) }, deadline },
    { measure: 'quality', target: 4.5 },
  ]));
}, 60_000);

const card = (measure: string) => page.slice(page.indexOf(`data-measure="${measure}"`), page.indexOf('</article>', page.indexOf(`data-measure="${measure}"`)));

test('a target with a baseline shows the road travelled and left from the API, and that its pace reaches it by the deadline', () => {
  const csat = card('csat');
  expect(csat).toContain(`Road travelled: from 50% in ${new Date(`${monthStart(-3)}T00:00:00Z`).toLocaleString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' })}, 66.7% of the way.`);
  expect(csat).toContain('Road left: 10 points to the target of 80%.');
  expect(csat).toMatch(/data-pace="on-pace">On pace to reach 80% by \d{1,2} \w+ \d{4}\./);
  expect(csat).toContain('<meter');
});

test('a flat measure is off pace, and the card says where the pace leads by the deadline', () => {
  expect(card('nps')).toMatch(/data-pace="off-pace">At this pace, [+−]?\d+(\.\d)? by the deadline \(\d{1,2} \w+ \d{4}\)\./);
});

test('a target without a baseline still shows the road left, and says it has no baseline', () => {
  const quality = card('quality');
  expect(quality).toContain('Road travelled: no baseline set for this target.');
  expect(quality).toContain('Road left:');
  expect(card('cost')).toContain('No target set.');
});

test("a unit without targets of its own is shown the road left to the organization's", async () => {
  const response = await fetch(`${workerUrl}/dashboard?unitId=${unit}&month=${monthStart(-1).slice(0, 7)}`, { headers: { Cookie: cookie } });
  page = await response.text();
  expect(card('csat')).toContain('Road left: 10 points to the organization&#39;s target of 80%.');
});

test('a target passed reads "all of the way and beyond", never a share over 100%', async () => {
  ({ page } = await dashboardWith((deadline) => [{ measure: 'csat', target: 0.6, baseline: { period: monthStart(-3).slice(0, 7) }, deadline }]));
  expect(card('csat')).toMatch(/Road travelled: from 50% in \w+ \d{4}, all of the way and beyond\./);
  expect(card('csat')).toContain('Road left: none, the target of 60% is reached.');
}, 60_000);
