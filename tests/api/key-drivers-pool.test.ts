/**
 * GET /v1/key-drivers/respondents on the reference pool through the real worker: an organization of
 * the generated pool (its own seed, so no other file shares its tenants), read over its last 12 whole
 * months with a key written for it (pool tenants are loaded without one), gets a plausible answer.
 */
import { beforeAll, expect, inject, test } from 'vitest';
import { poolTenantId } from '../../db/pool/generate.ts';
import { loadReferencePool } from '../../db/pool/load.ts';
import { uuidv7 } from '../../worker/domain/ids.ts';
import { RESPONDENT_SAMPLE_CAP } from '../../worker/domain/respondent-drivers.ts';
import { generateApiKey } from '../../worker/domain/secrets.ts';
import { monthStart } from '../lib/internal-seed.ts';
import { api, ownerPool } from './helpers.ts';

const SEED = 7117;
const ORGANIZATIONS = 3;
const owner = ownerPool();
// 12 whole months, all ended and inside the pool's span (its four quarters before the current one, and that one).
const PERIOD = `from=${monthStart(-12)}&to=${monthStart(0)}`;
let key: string;
let respondents: number;

beforeAll(async () => {
  await loadReferencePool({ databaseUrl: inject('ownerDatabaseUrl'), seed: SEED, organizations: ORGANIZATIONS, now: new Date() });
  // The organization with the most staff answers in the window, so the analysis has enough to say something.
  const { rows } = await owner.query(
    `select tenant_id, count(*)::int as n from internal_ratings where tenant_id = any($1) and occurred_on >= $2 and occurred_on < $3
     group by tenant_id order by n desc limit 1`,
    [Array.from({ length: ORGANIZATIONS }, (_, index) => poolTenantId(SEED, index)), monthStart(-12), monthStart(0)],
  );
  const tenantId: string = rows[0].tenant_id;
  respondents = rows[0].n;
  // As POST /v1/api-keys stores a key: only its SHA-256 and display prefix.
  const keyId = uuidv7();
  const generated = await generateApiKey(tenantId, keyId);
  await owner.query(
    `insert into api_keys (id, tenant_id, name, display_prefix, secret_hash, scopes) values ($1, $2, 'pool reader', $3, $4, '{reports:read}')`,
    [keyId, tenantId, generated.displayPrefix, generated.hash],
  );
  key = generated.secret;
}, 180_000);

test('a pool organization’s respondent drivers: weights sum to R², intervals hold the weights, verdicts graded, within the sample cap', async () => {
  const response = await api(`/v1/key-drivers/respondents?${PERIOD}`, { key });
  expect(response.status).toBe(200);
  const body: any = await response.json();
  expect(body).toMatchObject({ period: { from: monthStart(-12), to: monthStart(0) }, unitId: null, withheld: null, respondents });
  expect(respondents).toBeGreaterThan(100);
  const { willingness, enps } = body.outcomes;
  expect(willingness.n).toBe(Math.min(respondents, RESPONDENT_SAMPLE_CAP));
  for (const analysis of [willingness, enps]) {
    expect(analysis.n).toBeLessThanOrEqual(RESPONDENT_SAMPLE_CAP);
    expect(analysis.n).toBeGreaterThanOrEqual(analysis.minimumRespondents);
    expect(['drivers', 'no-clear-driver']).toContain(analysis.grade);
    expect(analysis.resamples).toBe(1000);
    expect(analysis.rSquared).toBeGreaterThan(0);
    expect(analysis.rSquared).toBeLessThan(1);
    expect(analysis.rSquaredInterval.low).toBeLessThanOrEqual(analysis.rSquared);
    expect(analysis.rSquaredInterval.high).toBeGreaterThanOrEqual(analysis.rSquared);
    expect(analysis.drivers.reduce((sum: number, d: any) => sum + d.rawWeight, 0)).toBeCloseTo(analysis.rSquared, 9);
    expect(analysis.drivers.reduce((sum: number, d: any) => sum + d.share, 0)).toBeCloseTo(1, 9);
    for (const d of analysis.drivers) {
      expect(d.rawWeight).toBeGreaterThanOrEqual(0);
      // A weight is a share of R², never below 0: for one next to 0 the resampled weights all lie above
      // it, so the percentile interval can start just above the estimate (seen at a share of 0.3%).
      if (d.share >= 0.01) expect(d.interval.low).toBeLessThanOrEqual(d.rawWeight);
      expect(d.interval.low).toBeGreaterThanOrEqual(0);
      expect(d.interval.high).toBeGreaterThanOrEqual(d.rawWeight);
      // A driver is named only when its weight stands above noise's: that interval excludes zero.
      expect(d.associated).toBe(d.versusRandom.low > 0);
    }
    // Graded: "drivers" exactly when one is named, and the verdict says "associated", never "causes".
    expect(analysis.grade === 'drivers').toBe(analysis.drivers.some((d: any) => d.associated));
    if (analysis.grade === 'drivers') expect(analysis.verdict).toContain('is associated with');
    else expect(analysis.verdict).toMatch(/no driver .* stands out from chance/);
    expect(analysis.verdict).not.toMatch(/\bcauses\b/);
  }
});

test('the same organization’s drivers across units, heatmap and diagnostics answer through the worker', async () => {
  const across = await api(`/v1/key-drivers?${PERIOD}`, { key });
  expect(across.status, await across.clone().text()).toBe(200);
  const { outcomes } = (await across.json()) as { outcomes: Record<'csat' | 'overall', { grade: string; verdict: string }> };
  for (const analysis of Object.values(outcomes)) {
    expect(['too-few-units', 'no-clear-driver', 'drivers']).toContain(analysis.grade);
    expect(analysis.verdict).not.toMatch(/\bcauses\b/);
  }
  const heatmap = await api(`/v1/heatmap?${PERIOD}`, { key });
  expect(heatmap.status, await heatmap.clone().text()).toBe(200);
  expect(((await heatmap.json()) as { data: unknown[] }).data.length).toBeGreaterThan(0);
  const diagnostics = await api(`/v1/diagnostics?${PERIOD}`, { key });
  expect(diagnostics.status, await diagnostics.clone().text()).toBe(200);
});
