/**
 * /docs in a real browser: Debian's Chromium driven by playwright-core. The page must render every
 * operation, the auth schemes and the error model from this origin alone (no CDN), and "try it" must
 * reach the API. Screenshots go to .local/ (git-ignored) for a person to look at.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { OPENAPI_FILE } from '../../scripts/openapi.ts';
import { createTenant, workerUrl } from '../api/helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = '.local';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (.ci/run does).`);
if (!haveChromium) console.warn(`skipping the /docs browser test: ${CHROMIUM} is missing (apt-get install chromium)`);

const document = JSON.parse(await readFile(OPENAPI_FILE, 'utf8')) as { paths: Record<string, Record<string, { summary: string }>> };
const summaries = Object.values(document.paths).flatMap((methods) => Object.values(methods).map(({ summary }) => summary));

describe.skipIf(!haveChromium)('/docs in Chromium', () => {
  let browser: Browser;
  let page: Page;
  const outside: string[] = [];
  const cspViolations: string[] = [];

  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('request', (request) => {
      if (!request.url().startsWith(workerUrl) && !request.url().startsWith('data:')) outside.push(request.url());
    });
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    await page.goto(`${workerUrl}/docs`);
  }, 60_000);
  afterAll(() => browser?.close());

  test('renders every operation, the auth schemes and the error model, from this origin only', { timeout: 60_000 }, async () => {
    await expect.poll(() => page.getByRole('heading', { name: 'Service Culture Benchmark API' }).count(), { timeout: 15_000 }).toBe(1);
    await page.screenshot({ path: `${SCREENSHOTS}/docs.png` });
    // The sidebar lists an operation once its group is open; a group's button is named "<tag> Open Group" until then.
    const closedGroups = page.getByRole('button', { name: /^(?!Models ).+ Open Group$/ });
    for (let i = 0; i < 50 && (await closedGroups.count()) > 0; i++) await closedGroups.first().click();
    const sidebar = await page.locator('body').innerText();
    expect(summaries.filter((summary) => !sidebar.includes(summary))).toEqual([]);
    // info.description: both credentials and the problem types.
    for (const text of ['Authentication', 'OAuth 2.0 client credentials', 'Errors', 'application/problem+json', 'https://service-culture.dev/problems/idempotency-key-reused']) {
      expect(sidebar).toContain(text);
    }
    // The security schemes themselves, as the page offers them to choose from.
    await page.getByRole('button', { name: /Selected Auth Type/ }).first().click();
    await expect.poll(async () => (await page.locator('body').innerText()).includes('partnerOAuth')).toBe(true);
    await page.keyboard.press('Escape');
    expect(outside).toEqual([]);
    expect(cspViolations).toEqual([]);
  });

  test('"try it" sends GET /v1/tenant with a key typed in and shows the 200', async () => {
    const { apiKey } = await createTenant({ name: 'Docs Tenant' });
    await page.goto(`${workerUrl}/docs#tag/tenants/GET/v1/tenant`);
    await page.getByRole('button', { name: /Test Request.*get \/v1\/tenant\)/ }).first().click();
    const client = page.getByRole('dialog');
    await client.getByPlaceholder(/Token/).first().fill(apiKey.secret);
    await client.getByRole('button', { name: /^Send/ }).first().click();
    await expect.poll(() => client.innerText(), { timeout: 10_000 }).toMatch(/200 OK[\s\S]*"name": "Docs Tenant"/);
    await page.screenshot({ path: `${SCREENSHOTS}/docs-try-it.png` });
    expect(cspViolations).toEqual([]);
  });
});
