import type { RouteHandler } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import type { AppEnv } from '../../env.ts';
import type { HealthRoute, ReadyRoute } from './routes.ts';

export const health: RouteHandler<HealthRoute, AppEnv> = (c) => c.json({ status: 'ok' as const }, 200);

export const ready: RouteHandler<ReadyRoute, AppEnv> = async (c) => {
  // An unreachable database throws here and the error handler answers 503.
  await c.get('db').execute(sql`select 1`);
  return c.json({ status: 'ready' as const }, 200);
};
