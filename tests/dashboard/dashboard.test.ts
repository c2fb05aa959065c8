/**
 * Issue 18 item 3: /dashboard signs a tenant admin in with an API key (exchanged for a sealed,
 * HttpOnly, SameSite=Strict cookie on /dashboard; the page never holds the key), refuses cross-site
 * form posts, and shows every section filled for a tenant with 13 months of ratings, targets and a
 * benchmark snapshot. The browser part drives Debian's Chromium; screenshots go to .local/.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { generateOrganization } from '../../db/pool/generate.ts';
import { loadReferencePool } from '../../db/pool/load.ts';
import { api, type CreatedTenant, createExternalRatings, createTenant, createUnit, externalRating, internalRating, ownerPool, problemOf, runBenchmarkJob, workerUrl } from '../api/helpers.ts';
import { seedInternalRatings } from '../lib/internal-seed.ts';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = '.local';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (.ci/run does).`);

const SEED = 1818;
const now = new Date();
const monthStart = (offset: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
const lastMonth = monthStart(-1).toISOString().slice(0, 7);

let tenant: CreatedTenant;
let key: string;

/** 13 months of external ratings up to an hour ago (improving over the year), staff pulses in ended months, targets, a snapshot. */
beforeAll(async () => {
  await loadReferencePool({ databaseUrl: inject('ownerDatabaseUrl'), organizations: 30, seed: SEED, now });
  const { industry, region } = generateOrganization(SEED, 0, now).tenant;
  tenant = await createTenant({ name: 'Dashboard Retail', industry, region, benchmarkOptIn: true });
  key = tenant.apiKey.secret;
  const store = await createUnit(key, { name: 'Store Madrid Centro' });
  const helpdesk = await createUnit(key, { name: 'IT helpdesk', kind: 'internal-supplier' });
  const ratings: Record<string, unknown>[] = [];
  for (let offset = -12; offset <= 0; offset++) {
    const start = monthStart(offset).getTime();
    const end = Math.min(monthStart(offset + 1).getTime(), now.getTime() - 3_600_000);
    for (let i = 0; i < 40; i++) {
      const good = (i + offset + 12) % 10 < 6 + Math.floor((offset + 12) / 5);
      const occurredAt = new Date(start + ((end - start) * (i + 0.5)) / 40).toISOString();
      ratings.push(
        good
          ? externalRating(store.id, { occurredAt, quality: 4 + (i % 2), quantity: 4, opportunity: 3 + (i % 3 ? 1 : 2), cost: 4, overall: 4 + (i % 2), recommend: 8 + (i % 3) })
          : externalRating(store.id, { occurredAt, quality: 2, quantity: 3, opportunity: 2, cost: 3, overall: 2 - (i % 2), recommend: 3, blamesAttitude: i % 5 !== 0, blamedComponent: 'people' }),
      );
    }
  }
  for (let i = 0; i < ratings.length; i += 1000) await createExternalRatings(key, ratings.slice(i, i + 1000));
  const internal = [];
  for (let offset = -12; offset <= -1; offset++) {
    for (let i = 0; i < 12; i++) {
      const occurredOn = new Date(monthStart(offset).getTime() + (i + 1) * 86_400_000).toISOString().slice(0, 10);
      internal.push(internalRating(helpdesk.id, { occurredOn, commitments: 3, internalCulture: 3, empowerment: 2, recognition: 1 + (i % 2), leadershipSupport: 3, willingness: 4 + (i % 2), tenureBand: i % 3 ? 'established' : 'new' }));
    }
  }
  await seedInternalRatings(ownerPool(), tenant.tenant.id, internal);
  const targets = await api('/v1/targets', {
    method: 'PUT',
    key,
    json: { targets: [{ measure: 'quality', target: 4.5 }, { measure: 'quantity', target: 4.2 }, { measure: 'opportunity', target: 4 }, { measure: 'cost', target: 3.8 }, { measure: 'csat', target: 0.85 }, { measure: 'nps', target: 40 }] },
  });
  expect(targets.status).toBe(200);
  expect((await runBenchmarkJob()).status).toBe('succeeded');
}, 240_000);

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const signIn = (apiKey: string, origin: string | null = workerUrl) =>
  fetch(`${workerUrl}/dashboard/session`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...(origin ? { Origin: origin } : {}) },
    body: form({ apiKey }),
  });

describe('sign-in and the session cookie', () => {
  test('without a session: the sign-in form, under a CSP that allows no script and no inline style', async () => {
    const response = await fetch(`${workerUrl}/dashboard`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).not.toMatch(/script-src|unsafe-inline/);
    const page = await response.text();
    expect(page).toContain('name="apiKey"');
    expect(page).not.toMatch(/<script|style=/);
  });

  test('a good key: 303 to /dashboard with a sealed, HttpOnly, SameSite=Strict cookie on /dashboard that does not contain the key', async () => {
    const response = await signIn(key);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/dashboard');
    const cookie = response.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^sc_dashboard=v1\./);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/dashboard');
    expect(cookie).toContain('Max-Age=1800');
    // Plain http on loopback (npm start, tests): a Secure cookie would not come back.
    expect(cookie).not.toContain('Secure');
    expect(cookie).not.toContain(key);
    const page = await (await fetch(`${workerUrl}/dashboard`, { headers: { Cookie: cookie.split(';')[0]! } })).text();
    expect(page).toContain('Dashboard Retail');
    expect(page).not.toContain(key);
  });

  test('a wrong key: 401 and the form again, no cookie', async () => {
    const response = await signIn('sck_not-a-real-key');
    expect(response.status).toBe(401);
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(await response.text()).toContain('That key was not accepted');
  });

  test('CSRF: a form post from another origin, or with no Origin, is refused with a problem', async () => {
    for (const origin of ['https://evil.example', null]) {
      const response = await signIn(key, origin);
      expect((await problemOf(response)).status).toBe(403);
      expect(response.headers.get('set-cookie')).toBeNull();
    }
    const signOut = await fetch(`${workerUrl}/dashboard/sign-out`, { method: 'POST', redirect: 'manual', headers: { Origin: 'https://evil.example' } });
    expect((await problemOf(signOut)).status).toBe(403);
  });

  test('a tampered or foreign cookie opens no session', async () => {
    const cookie = (await signIn(key)).headers.get('set-cookie')!.split(';')[0]!;
    const tampered = cookie.slice(0, -4) + (cookie.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const page = await (await fetch(`${workerUrl}/dashboard`, { headers: { Cookie: tampered } })).text();
    expect(page).toContain('name="apiKey"');
    expect(page).not.toContain('Dashboard Retail');
  });

  test('a revoked key ends the session', async () => {
    const issued = await api('/v1/api-keys', { method: 'POST', key, json: { name: 'Short-lived', scopes: ['admin'] } });
    const other = (await issued.json()) as { id: string; secret: string };
    const cookie = (await signIn(other.secret)).headers.get('set-cookie')!.split(';')[0]!;
    expect((await api(`/v1/api-keys/${other.id}`, { method: 'DELETE', key })).status).toBeLessThan(300);
    const response = await fetch(`${workerUrl}/dashboard`, { headers: { Cookie: cookie } });
    expect(response.status).toBe(401);
    expect(response.headers.get('set-cookie')).toMatch(/sc_dashboard=;.*Max-Age=0/);
  });

  test('bad picker values are 400 problems naming the parameter', async () => {
    const cookie = (await signIn(key)).headers.get('set-cookie')!.split(';')[0]!;
    for (const [query, name] of [['month=2026-13', 'month'], ['month=2999-01', 'month'], ['unitId=nope', 'unitId'], ['cohort=planet', 'cohort']] as const) {
      const problem = await problemOf(await fetch(`${workerUrl}/dashboard?${query}`, { headers: { Cookie: cookie } }));
      expect(problem.status).toBe(400);
      expect(problem.detail).toContain(name);
    }
  });
});

describe.skipIf(!haveChromium)('the dashboard in Chromium', () => {
  let browser: Browser;
  let page: Page;
  const cspViolations: string[] = [];
  const outside: string[] = [];

  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    page.on('request', (request) => {
      if (!request.url().startsWith(workerUrl)) outside.push(request.url());
    });
  }, 60_000);
  afterAll(() => browser?.close());

  test('signs in with the key, finds every section filled, moves by keyboard, signs out', { timeout: 90_000 }, async () => {
    await page.goto(`${workerUrl}/dashboard`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: /Dashboard Retail/ }).waitFor();
    expect(await page.content()).not.toContain(key);
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'sc_dashboard')).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/dashboard' });

    // The last complete month, chosen with the pickers (a plain GET form, no script).
    await page.locator('select[name="month"]').selectOption(lastMonth);
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/month=/);
    await page.screenshot({ path: `${SCREENSHOTS}/dashboard.png`, fullPage: true });

    const section = (id: string) => page.locator(`[data-section="${id}"]`);
    const cards = section('indicators').locator('.card');
    expect(await cards.count()).toBe(6);
    for (const text of await cards.locator('.value').allInnerTexts()) expect(text).not.toBe('No ratings');
    expect(await section('indicators').innerText()).toMatch(/Road travelled[\s\S]*Road left/);
    expect(await section('trends').locator('svg [data-marker="target"]').count()).toBe(6);
    expect(await section('trends').locator('svg title').count()).toBe(6);
    expect(await section('benchmarks').locator('svg [data-marker="own"]').count()).toBe(6);
    expect(await section('diagnostics').locator('[data-finding]').count()).toBeGreaterThan(0);
    // Key drivers show once the server has the route (until then the section says so).
    if ((await api(`/v1/key-drivers?from=${lastMonth}-01&to=${monthStart(0).toISOString().slice(0, 10)}`, { key })).status === 404) {
      expect(await section('key-drivers').innerText()).toContain('Not available yet');
    } else {
      expect(await section('key-drivers').locator('[data-outcome]').count()).toBeGreaterThan(0);
    }
    // The heatmap: both units drawn and in its table, the store's clients filled in, the helpdesk's staff figures shown.
    const heatmap = section('heatmap');
    expect(await heatmap.locator('svg [data-cell="value"]').count()).toBeGreaterThan(0);
    const described = await heatmap.locator('svg desc').innerHTML();
    expect(described).toContain('Store Madrid Centro: Quality 4.00');
    expect(described).toMatch(/IT helpdesk: .*Staff willingness \d/);
    // The tenant is in the benchmark: its cells are compared with its peers' median.
    expect(described).toContain('than the peers’ median');
    expect(await heatmap.locator('tbody tr').count()).toBe(2);
    expect(await heatmap.locator('a.source[href^="/v1/heatmap"]').count()).toBe(1);
    // Only significant changes are ringed in the trends, and each chart says what a ring means.
    expect(await section('trends').locator('svg desc').first().innerHTML()).toMatch(/significant/);
    // Every figure links to the API call behind it.
    expect(await page.locator('a.source[href^="/v1/scorecard"]').count()).toBeGreaterThan(0);
    expect(await page.locator('a.source[href^="/v1/benchmarks"]').count()).toBe(6);
    expect(await page.locator('a.source[href^="/v1/diagnostics"]').count()).toBe(1);
    // Periods as people read them.
    const lastMonthName = monthStart(-1).toLocaleString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
    expect(await page.locator('main').innerText()).toContain(lastMonthName);

    // Keyboard: the first Tab reaches the skip link, and focus is visible.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent.trim()')).toBe('Skip to content');
    expect(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).toBe('solid');

    expect(cspViolations).toEqual([]);
    expect(outside).toEqual([]);

    // The unit picker: one unit's figures, the month kept.
    await page.locator('select[name="unitId"]').selectOption({ label: 'Store Madrid Centro' });
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/unitId=/);
    expect(await page.locator('main').innerText()).toContain(`Showing Store Madrid Centro, ${lastMonthName}`);
    expect(await page.locator('a.source[href*="unitId="]').count()).toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    expect((await page.context().cookies()).find((c) => c.name === 'sc_dashboard')).toBeUndefined();
  });
});
