import type { Context } from 'hono';
import type { AppEnv } from '../../env.ts';
import { ProblemError } from '../../http/problem.ts';
import { apiCaller, COHORTS, type Cohort, type DashboardQuery, type InternalFetch, loadDashboard } from './data.ts';
import { DASHBOARD_PATH, endSession, sessionKey, startSession } from './session.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The month pages open on: the current one, so the figures of the month so far show at once. */
export const currentMonth = () => new Date().toISOString().slice(0, 7);

/** The pickers' query parameters; a bad one is a 400 naming it, as in the API. */
export function dashboardQuery(c: Context<AppEnv>): DashboardQuery {
  const month = c.req.query('month') || currentMonth();
  const unitId = c.req.query('unitId') || null;
  const cohort = c.req.query('cohort') || 'all';
  if (!MONTH.test(month)) throw new ProblemError('invalidParameters', `month must be a month as YYYY-MM, not "${month.slice(0, 20)}".`);
  if (month > currentMonth()) throw new ProblemError('invalidParameters', `month ${month} has not begun yet.`);
  if (unitId !== null && !UUID.test(unitId)) throw new ProblemError('invalidParameters', 'unitId must be a unit id (a UUID).');
  if (!(COHORTS as readonly string[]).includes(cohort)) throw new ProblemError('invalidParameters', `cohort must be one of ${COHORTS.join(', ')}.`);
  return { month: `${month}-01`, unitId, cohort: cohort as Cohort };
}

/**
 * SameSite=Strict keeps the cookie off cross-site requests; the Origin check refuses a cross-site form
 * post outright, so nobody can sign a visitor in to their own tenant or out of theirs.
 */
function requireSameOrigin(c: Context<AppEnv>): void {
  if (c.req.header('Origin') !== new URL(c.req.url).origin) {
    throw new ProblemError('forbidden', 'Dashboard forms are accepted only from the dashboard itself (the Origin header must be this origin).');
  }
}

const page = () => import('./page.tsx');

export function createHandlers(fetcher: InternalFetch) {
  return {
    async show(c: Context<AppEnv>) {
      const query = dashboardQuery(c);
      const { signInPage, dashboardPage } = await page();
      const key = await sessionKey(c);
      if (!key) return c.html(signInPage({ error: null }));
      const data = await loadDashboard(apiCaller(c, fetcher, key), query);
      if (data.tenant.status === 401) {
        // The key was revoked or expired since sign-in: the session ends with it.
        endSession(c);
        return c.html(signInPage({ error: 'Your API key is no longer valid. Sign in again.' }), 401);
      }
      return c.html(dashboardPage(data, `${currentMonth()}-01`));
    },

    async signIn(c: Context<AppEnv>) {
      requireSameOrigin(c);
      const form = await c.req.parseBody();
      const key = typeof form.apiKey === 'string' ? form.apiKey.trim() : '';
      const { signInPage } = await page();
      if (key === '') return c.html(signInPage({ error: 'Enter an API key.' }), 400);
      const tenant = await apiCaller(c, fetcher, key)('/v1/tenant');
      if (tenant.status !== 200) return c.html(signInPage({ error: `That key was not accepted: ${tenant.problem}` }), tenant.status === 429 ? 429 : 401);
      await startSession(c, key);
      return c.redirect(DASHBOARD_PATH, 303);
    },

    async signOut(c: Context<AppEnv>) {
      requireSameOrigin(c);
      endSession(c);
      return c.redirect(DASHBOARD_PATH, 303);
    },
  };
}
