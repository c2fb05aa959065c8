import { bodyLimit } from 'hono/body-limit';
import { createDatabase, type Database, databaseTimeoutMs } from './db/client.ts';
import { type Env, missingConfiguration } from './env.ts';
import { MAX_BATCH_BODY_BYTES, MAX_BODY_BYTES, useRequestBasics } from './http/basics.ts';
import { requireJsonBody } from './http/content-type.ts';
import { CORS_PATHS, cors, documentCors } from './http/cors.ts';
import { createNotFoundHandler, handleError } from './http/errors.ts';
import { configureOpenApi } from './http/openapi.ts';
import { notConfigured, ProblemError } from './http/problem.ts';
import { documentPageLinks } from './http/pagination.ts';
import { documentRateLimit, RATE_LIMITED_PATHS, rateLimit } from './http/rate-limit.ts';
import { createRouter } from './http/router.ts';
import { adminRouter } from './routes/admin/index.ts';
import { apiKeysRouter } from './routes/api-keys/index.ts';
import { auditEventsRouter } from './routes/audit-events/index.ts';
import { benchmarksRouter } from './routes/benchmarks/index.ts';
import { dashboardRouter } from './routes/dashboard/index.ts';
import { diagnosticsRouter } from './routes/diagnostics/index.ts';
import { externalRatingsRouter } from './routes/external-ratings/index.ts';
import { healthRouter } from './routes/health/index.ts';
import { heatmapRouter } from './routes/heatmap/index.ts';
import { internalRatingsRouter } from './routes/internal-ratings/index.ts';
import { keyDriversRouter } from './routes/key-drivers/index.ts';
import { oauthRouter } from './routes/oauth/index.ts';
import { partnerClientsRouter } from './routes/partner-clients/index.ts';
import { scorecardRouter } from './routes/scorecard/index.ts';
import { targetsRouter } from './routes/targets/index.ts';
import { tenantsRouter } from './routes/tenants/index.ts';
import { unitsRouter } from './routes/units/index.ts';
import { webhookEndpointsRouter } from './routes/webhook-endpoints/index.ts';

export { MAX_BATCH_BODY_BYTES, MAX_BODY_BYTES } from './http/basics.ts';

function limitBody(maxSize: number) {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new ProblemError('payloadTooLarge', `The body exceeds ${maxSize} bytes.`);
    },
  });
}

/** A database whose every use is a 503 naming the missing settings (see health/handlers.ts `notConfigured`). */
function unconfiguredDatabase(env: Partial<Env>): Database {
  return new Proxy({} as Database, {
    get() {
      throw notConfigured(missingConfiguration(env));
    },
  });
}

/** Every resource router, mounted at the root in this order: a new resource adds its router here. */
const ROUTERS = [
  healthRouter,
  tenantsRouter,
  apiKeysRouter,
  partnerClientsRouter,
  oauthRouter,
  auditEventsRouter,
  externalRatingsRouter,
  internalRatingsRouter,
  unitsRouter,
  benchmarksRouter,
  adminRouter,
  targetsRouter,
  scorecardRouter,
  diagnosticsRouter,
  keyDriversRouter,
  heatmapRouter,
  webhookEndpointsRouter,
];

/**
 * The whole API: middleware, the OpenAPI document and every router. The worker builds it on the first
 * request that needs it (index.ts), so none of this is evaluated at startup.
 */
export function createApp() {
  const app = createRouter();

  useRequestBasics(app);
  for (const path of CORS_PATHS) app.use(path, cors());
  documentCors(app);
  // Before authentication (each route's own middleware), so a flood never reaches the database.
  for (const path of RATE_LIMITED_PATHS) app.use(path, rateLimit());
  documentRateLimit(app);
  documentPageLinks(app, ['/v1/']);
  app.use(async function database(c, next) {
    // Creating the client opens nothing: queries go out over fetch when awaited. No request may
    // hang on a slow database: each round trip has a deadline, and missing it is a 503.
    // Without a URL the driver throws at once (a 500): answer what is missing when the database is used.
    c.set('db', c.env.DATABASE_URL ? createDatabase(c.env, { timeoutMs: databaseTimeoutMs(c.env) }) : unconfiguredDatabase(c.env));
    await next();
  });
  const batchLimit = limitBody(MAX_BATCH_BODY_BYTES);
  const defaultLimit = limitBody(MAX_BODY_BYTES);
  app.use(
    '/v1/*',
    (c, next) => (c.req.path.endsWith('/batch') ? batchLimit(c, next) : defaultLimit(c, next)),
    requireJsonBody(),
  );

  app.onError(handleError);
  app.notFound(createNotFoundHandler(() => app.routes));

  configureOpenApi(app);
  for (const router of ROUTERS) app.route('/', router);
  // The dashboard renders from the API's own answers: it calls this app in-process.
  app.route('/', dashboardRouter((request, env, ctx) => app.fetch(request, env, ctx)));
  return app;
}

export type App = ReturnType<typeof createApp>;
