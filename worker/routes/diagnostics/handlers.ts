import type { RouteHandler } from '@hono/zod-openapi';
import { diagnosticsTotals, reportsVersion } from '../../db/diagnostics.ts';
import { diagnose } from '../../domain/diagnostics.ts';
import type { AppEnv } from '../../env.ts';
import { tenantOf } from '../../http/auth.ts';
import { conditionalHeaders, entityTag, ifNoneMatch, notModified } from '../../http/etag.ts';
import { ProblemError } from '../../http/problem.ts';
import type { GetDiagnosticsRoute } from './routes.ts';

/** The default period: the last 3 complete calendar months (UTC). */
function defaultPeriod(now: Date): { from: string; to: string } {
  const day = (months: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + months, 1)).toISOString().slice(0, 10);
  return { from: day(-3), to: day(0) };
}

export const getDiagnostics: RouteHandler<GetDiagnosticsRoute, AppEnv> = async (c) => {
  const query = c.req.valid('query');
  const fallback = defaultPeriod(new Date());
  const period = { from: query.from ?? fallback.from, to: query.to ?? fallback.to };
  if (period.from >= period.to) {
    throw new ProblemError('invalidParameters', `The period is empty: \`to\` (${period.to}) must be after \`from\` (${period.from}).`, {
      errors: [{ location: 'query', pointer: '/to', detail: 'Must be after `from`' }],
    });
  }
  const unitId = query.unitId ?? null;
  const tenantId = tenantOf(c.get('principal')).tenant.id;
  // The default period follows today's date as well as the data.
  const tagOf = (version: string) => entityTag(c, `${tenantId}:${period.from}:${period.to}:${version}`);
  if (c.req.header('If-None-Match') !== undefined) {
    const etag = await tagOf(await reportsVersion(c.get('db'), tenantId));
    if (ifNoneMatch(c, etag)) return notModified(c, etag);
  }
  const totals = await diagnosticsTotals(c.get('db'), tenantId, period);
  if (unitId !== null && !totals.units.some((unit) => unit.id === unitId)) {
    throw new ProblemError('notFound', `There is no unit ${unitId}.`);
  }
  return c.json({ period, unitId, ...diagnose({ ...totals, unitId }) }, 200, conditionalHeaders(await tagOf(totals.version)));
};
