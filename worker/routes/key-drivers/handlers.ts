import type { RouteHandler } from '@hono/zod-openapi';
import { diagnosticsTotals, reportsVersion } from '../../db/diagnostics.ts';
import { linkedUnits } from '../../domain/diagnostics.ts';
import { monthStart } from '../../domain/disclosure.ts';
import { unitKeyDrivers } from '../../domain/key-drivers.ts';
import type { AppEnv } from '../../env.ts';
import { tenantOf } from '../../http/auth.ts';
import { conditionalHeaders, entityTag, ifNoneMatch, notModified } from '../../http/etag.ts';
import { requestedPeriod } from '../diagnostics/handlers.ts';
import type { GetKeyDriversRoute } from './routes.ts';

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
