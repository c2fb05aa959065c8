import type { RouteHandler } from '@hono/zod-openapi';
import * as store from '../../db/targets.ts';
import type { AppEnv } from '../../env.ts';
import { actingOf, tenantOf } from '../../http/auth.ts';
import type { ListTargetsRoute, PutTargetsRoute } from './routes.ts';

function targetList(rows: store.Target[]) {
  return { data: rows.map(({ measure, target, updatedAt }) => ({ measure, target, updatedAt: updatedAt.toISOString() })) };
}

export const putTargets: RouteHandler<PutTargetsRoute, AppEnv> = async (c) => {
  const { targets } = c.req.valid('json');
  const rows = await store.replaceTargets(c.get('db'), tenantOf(c.get('principal')).tenant.id, targets, actingOf(c));
  return c.json(targetList(rows), 200);
};

export const listTargets: RouteHandler<ListTargetsRoute, AppEnv> = async (c) => {
  const rows = await store.listTargets(c.get('db'), tenantOf(c.get('principal')).tenant.id);
  return c.json(targetList(rows), 200);
};
