/**
 * Issue 18's "done when": a fresh `npm start` (the real scripts/start.ts, in a newcomer's copy of the
 * repository with its own state and ports: tests/start/npm-start.ts), then Chromium signs in to the
 * dashboard with the demo key it printed and finds every section filled. Screenshots go to this
 * repository's .local/ (start-dashboard.png, full page at 1280 wide; look at them): the README's
 * docs/dashboard.png is the first, copied by hand after a look.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Newcomer, newcomer, ROOT, type Run } from '../start/npm-start.ts';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = path.join(ROOT, '.local');
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (.ci/run does).`);

/** What no filled section says: a route the server lacks, a verdict without data, an empty figure. */
const EMPTY = /Not available yet|Too few units to say|No ratings/;

/**
 * Every section of the dashboard and what makes it filled, beyond saying none of `EMPTY`. A section the
 * page shows that is not listed here fails the test: a new section comes with its check.
 */
const FILLED: Record<string, (section: Locator) => Promise<void>> = {
  indicators: async (section) => {
    expect(await section.locator('.card').count()).toBeGreaterThanOrEqual(6);
    expect(await section.innerText()).toMatch(/Road travelled[\s\S]*Road left/);
  },
  trends: async (section) => {
    expect(await section.locator('svg title').count()).toBeGreaterThanOrEqual(6);
    expect(await section.locator('svg [data-marker="target"]').count()).toBeGreaterThan(0);
  },
  benchmarks: async (section) => {
    // Ranked at once: the demo's own position on every measure's chart.
    expect(await section.locator('svg [data-marker="own"]').count()).toBeGreaterThanOrEqual(6);
  },
  diagnostics: async (section) => {
    expect(await section.locator('[data-finding]').count()).toBeGreaterThan(0);
  },
  'key-drivers': async (section) => {
    expect(await section.locator('[data-outcome]').count()).toBeGreaterThan(0);
  },
  heatmap: async (section) => {
    // The chain's units drawn and tabled, each with the API call behind it.
    expect(await section.locator('svg [data-cell="value"]').count()).toBeGreaterThan(0);
    expect(await section.locator('tbody tr').count()).toBeGreaterThanOrEqual(40);
    expect(await section.locator('a.source[href^="/v1/heatmap"]').count()).toBe(1);
  },
};

describe.skipIf(!haveChromium)('a fresh npm start', () => {
  let app: Newcomer;
  let run: Run | undefined;
  let key: string;
  let browser: Browser | undefined;

  beforeAll(async () => {
    app = await newcomer();
    run = await app.start();
    key = /Demo API key\s+(sck_\S+)/.exec(run.output)![1]!;
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    if (run) await app.stop(run);
    app?.remove();
  }, 60_000);

  async function signIn(page: Page): Promise<void> {
    await page.goto(`${app.base}/dashboard`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: /Demo Retail/ }).waitFor();
  }

  test('Chromium signs in with the demo key npm start printed and finds every section filled', { timeout: 120_000 }, async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page);
    expect(await page.content()).not.toContain(key);

    // The last complete month, as a leader reads a monthly report: its staff figures are published.
    const now = new Date();
    const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
    await page.locator('select[name="month"]').selectOption(lastMonth);
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/month=/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'start-dashboard.png'), fullPage: true });

    const sections = await page.locator('[data-section]').evaluateAll((elements) => elements.map((element) => element.getAttribute('data-section')!));
    expect(sections.filter((id) => !(id in FILLED)), 'sections without a check in FILLED').toEqual([]);
    expect(Object.keys(FILLED).filter((id) => !sections.includes(id)), 'sections the page lacks').toEqual([]);
    for (const id of sections) {
      const section = page.locator(`[data-section="${id}"]`);
      expect(await section.innerText(), id).not.toMatch(EMPTY);
      await FILLED[id]!(section);
    }

    // The current month so far is there too (its staff figures wait for the month to end).
    await page.locator('select[name="month"]').selectOption(now.toISOString().slice(0, 7));
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(new RegExp(`month=${now.toISOString().slice(0, 7)}`));
    await page.screenshot({ path: path.join(SCREENSHOTS, 'start-dashboard-current-month.png'), fullPage: true });
    const cards = page.locator('[data-section="indicators"] .card .value');
    expect(await cards.count()).toBeGreaterThan(0);
    for (const text of await cards.allInnerTexts()) expect(text).not.toBe('No ratings');
  });
});

test('the README opens with a committed screenshot of the dashboard, outside the worker\'s public assets', () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const image = /^!\[[^\]]+\]\(([^)]+\.png)\)/m.exec(readme.split('\n## ')[0]!)?.[1];
  expect(image).toBeDefined();
  // An ignored file would show in a working copy and nowhere else (assets/ is ignored but for the favicon).
  expect(spawnSync('git', ['ls-files', '--error-unmatch', image!], { cwd: ROOT }).status, `${image} is not committed`).toBe(0);
  // assets/ is what the worker serves to anyone in production.
  expect(image).not.toMatch(/^assets\//);
});
