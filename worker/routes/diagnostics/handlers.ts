import type { RouteHandler } from '@hono/zod-openapi';
import { diagnosticsTotals } from '../../db/diagnostics.ts';
import { diagnose } from '../../domain/diagnostics.ts';
import { monthStart, planDisclosure, wholePeriod } from '../../domain/disclosure.ts';
import type { AppEnv } from '../../env.ts';
import { tenantOf } from '../../http/auth.ts';
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

export const getDiagnostics: RouteHandler<GetDiagnosticsRoute, AppEnv> = async (c) => {
  const query = c.req.valid('query');
  const now = new Date();
  const fallback = defaultPeriod(now);
  const asked = { from: query.from ?? fallback.from, to: query.to ?? fallback.to };
  const period = wholePeriod(asked.from, asked.to);
  if (!period) {
    const pointers = [...(query.from !== undefined ? ['/from'] : []), ...(query.to !== undefined ? ['/to'] : [])];
    throw new ProblemError('validation', `${WHOLE_PERIOD}; ${asked.from} to ${asked.to} is not.`, {
      errors: pointers.map((pointer) => ({ location: 'query', pointer, detail: WHOLE_PERIOD })),
    });
  }
  const unitId = query.unitId ?? null;
  const totals = await diagnosticsTotals(c.get('db'), tenantOf(c.get('principal')).tenant.id, period, now);
  if (unitId !== null && !totals.units.some((unit) => unit.id === unitId)) {
    throw new ProblemError('notFound', `There is no unit ${unitId}.`);
  }
  const disclosure = planDisclosure(totals.disclosure);
  return c.json({ period: { from: period.from, to: period.to }, unitId, ...diagnose({ ...totals, unitId, period, disclosure }) }, 200);
};
