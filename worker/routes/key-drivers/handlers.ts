import type { RouteHandler } from '@hono/zod-openapi';
import { diagnosticsTotals, reportsVersion } from '../../db/diagnostics.ts';
import { linkedUnits } from '../../domain/diagnostics.ts';
import { monthStart } from '../../domain/disclosure.ts';
import { unitKeyDrivers } from '../../domain/key-drivers.ts';
import { respondentKeyDrivers } from '../../domain/respondent-drivers.ts';
import { respondentSample } from '../../db/respondent-drivers.ts';
import { ProblemError } from '../../http/problem.ts';
import type { AppEnv } from '../../env.ts';
import { tenantOf } from '../../http/auth.ts';
import { conditionalHeaders, entityTag, ifNoneMatch, notModified } from '../../http/etag.ts';
import { requestedPeriod } from '../diagnostics/handlers.ts';
import type { GetKeyDriversRoute, GetRespondentDriversRoute } from './routes.ts';

export const getKeyDrivers: RouteHandler<GetKeyDriversRoute, AppEnv> = async (c) => {
  const now = new Date();
  const period = requestedPeriod(c.req.valid('query'), now);
  const tenantId = tenantOf(c.get('principal')).tenant.id;
  // Which months have ended decides what is published, so the tag follows today's month as well as the data.
  const tagOf = (version: string) => entityTag(c, `key-drivers:${tenantId}:${period.from}:${period.to}:${monthStart(now)}:${version}`);
  if (c.req.header('If-None-Match') !== undefined) {
    const etag = await tagOf(await reportsVersion(c.get('db'), tenantId));
    if (ifNoneMatch(c, etag)) return notModified(c, etag);
  }
  const totals = await diagnosticsTotals(c.get('db'), tenantId, period, now);
  const units = linkedUnits({ ...totals, period });
  const body = { period: { from: period.from, to: period.to }, units: units.length, outcomes: unitKeyDrivers(units) };
  return c.json(body, 200, conditionalHeaders(await tagOf(totals.version)));
};

export const getRespondentDrivers: RouteHandler<GetRespondentDriversRoute, AppEnv> = async (c) => {
  const query = c.req.valid('query');
  const now = new Date();
  const period = requestedPeriod(query, now);
  const unitId = query.unitId ?? null;
  const tenantId = tenantOf(c.get('principal')).tenant.id;
  const tagOf = (version: string) => entityTag(c, `respondent-drivers:${tenantId}:${unitId}:${period.from}:${period.to}:${monthStart(now)}:${version}`);
  if (c.req.header('If-None-Match') !== undefined) {
    const etag = await tagOf(await reportsVersion(c.get('db'), tenantId));
    if (ifNoneMatch(c, etag)) return notModified(c, etag);
  }
  const sample = await respondentSample(c.get('db'), tenantId, { ...period, unitId }, now);
  if (unitId !== null && !sample.units.some((unit) => unit.id === unitId)) throw new ProblemError('notFound', `There is no unit ${unitId}.`);
  const decision = sample.disclosure.decide({ period, unitId });
  const base = { period: { from: period.from, to: period.to }, unitId };
  const body = decision.published
    ? { ...base, respondents: sample.respondents, withheld: null, outcomes: respondentKeyDrivers(sample.rows) }
    : { ...base, respondents: null, withheld: { reason: decision.reason }, outcomes: null };
  return c.json(body, 200, conditionalHeaders(await tagOf(sample.version)));
};
