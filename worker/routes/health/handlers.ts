import type { RouteHandler } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import { type AppEnv, missingConfiguration } from '../../env.ts';
import { notConfigured } from '../../http/problem.ts';
import { liveness } from './liveness.ts';
import type { HealthRoute, ReadyRoute } from './routes.ts';

export const health: RouteHandler<HealthRoute, AppEnv> = liveness;

export const ready: RouteHandler<ReadyRoute, AppEnv> = async (c) => {
  // An unreachable database throws here and the error handler answers 503; without DATABASE_URL the
  // database is a stand-in that throws a 503 naming everything missing (app.ts).
  await c.get('db').execute(sql`select 1`);
  const missing = missingConfiguration(c.env);
  if (missing.length > 0) throw notConfigured(missing);
  return c.json({ status: 'ready' as const }, 200);
};

