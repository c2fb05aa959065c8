import type { RouteHandler } from '@hono/zod-openapi';
import { diagnosticsTotals, reportsVersion } from '../../db/diagnostics.ts';
import { diagnose, previousPeriod } from '../../domain/diagnostics.ts';
import { type DisclosurePeriod, monthStart, wholePeriod } from '../../domain/disclosure.ts';
import type { AppEnv } from '../../env.ts';
import { tenantOf } from '../../http/auth.ts';
import { conditionalHeaders, entityTag, ifNoneMatch, notModified } from '../../http/etag.ts';
import { ProblemError } from '../../http/problem.ts';
import type { GetDiagnosticsRoute } from './routes.ts';

const WHOLE_PERIOD =
  '`from` and `to` must span one whole period: a calendar month, a calendar quarter or 12 whole months, from the first day of a month ' +
  '(internal figures are published only for those, so that no two windows differ by a few respondents)';

/** The default period: the last complete calendar quarter (UTC). */
function defaultPeriod(now: Date): { from: string; to: string } {
  const to = monthStart(now, -(now.getUTCMonth() % 3));
  return { from: monthStart(new Date(`${to}T00:00:00Z`), -3), to };
}

/** The whole period `from`/`to` ask for (default: the last complete quarter), or a 422 naming them. */
export function requestedPeriod(query: { from?: string; to?: string }, now: Date): DisclosurePeriod {
  const fallback = defaultPeriod(now);
  const asked = { from: query.from ?? fallback.from, to: query.to ?? fallback.to };
  const period = wholePeriod(asked.from, asked.to);
  if (!period) {
    const pointers = [...(query.from !== undefined ? ['/from'] : []), ...(query.to !== undefined ? ['/to'] : [])];
    throw new ProblemError('validation', `${WHOLE_PERIOD}; ${asked.from} to ${asked.to} is not.`, {
      errors: pointers.map((pointer) => ({ location: 'query', pointer, detail: WHOLE_PERIOD })),
    });
  }
  return period;
}

export const getDiagnostics: RouteHandler<GetDiagnosticsRoute, AppEnv> = async (c) => {
  const query = c.req.valid('query');
  const now = new Date();
  const period = requestedPeriod(query, now);
  const unitId = query.unitId ?? null;
  const tenantId = tenantOf(c.get('principal')).tenant.id;
  // The answer follows today's date as well as the data: the default period, and which months have ended.
  const tagOf = (version: string) => entityTag(c, `${tenantId}:${period.from}:${period.to}:${monthStart(now)}:${version}`);
  if (c.req.header('If-None-Match') !== undefined) {
    const etag = await tagOf(await reportsVersion(c.get('db'), tenantId));
    if (ifNoneMatch(c, etag)) return notModified(c, etag);
  }
  const { scope, ...totals } = await diagnosticsTotals(c.get('db'), tenantId, period, now, unitId, previousPeriod(period));
  if (scope === null) throw new ProblemError('notFound', `There is no unit ${unitId}.`);
  const body = { period: { from: period.from, to: period.to }, unitId, ...diagnose({ ...totals, scope, unitId, period }) };
  return c.json(body, 200, conditionalHeaders(await tagOf(totals.version)));
};
