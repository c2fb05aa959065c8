import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { createDatabase, type Database, databaseTimeoutMs } from './db/client.ts';
import { type Env, missingConfiguration } from './env.ts';
import { requireJsonBody } from './http/content-type.ts';
import { CORS_PATHS, cors, documentCors } from './http/cors.ts';
import { drainRequestBody } from './http/drain-body.ts';
import { createNotFoundHandler, handleError } from './http/errors.ts';
import { requestLog } from './http/log.ts';
import { configureOpenApi } from './http/openapi.ts';
import { notConfigured, ProblemError } from './http/problem.ts';
import { documentPageLinks } from './http/pagination.ts';
import { documentRateLimit, RATE_LIMITED_PATHS, rateLimit } from './http/rate-limit.ts';
import { createRouter } from './http/router.ts';
import { securityHeaders } from './http/security-headers.ts';
import { adminRouter } from './routes/admin/index.ts';
import { apiKeysRouter } from './routes/api-keys/index.ts';
import { auditEventsRouter } from './routes/audit-events/index.ts';
import { benchmarksRouter } from './routes/benchmarks/index.ts';
import { dashboardRouter } from './routes/dashboard/index.ts';
import { diagnosticsRouter } from './routes/diagnostics/index.ts';
import { externalRatingsRouter } from './routes/external-ratings/index.ts';
import { healthRouter } from './routes/health/index.ts';
import { internalRatingsRouter } from './routes/internal-ratings/index.ts';
import { oauthRouter } from './routes/oauth/index.ts';
import { partnerClientsRouter } from './routes/partner-clients/index.ts';
import { scorecardRouter } from './routes/scorecard/index.ts';
import { targetsRouter } from './routes/targets/index.ts';
import { tenantsRouter } from './routes/tenants/index.ts';
import { unitsRouter } from './routes/units/index.ts';
import { webhookEndpointsRouter } from './routes/webhook-endpoints/index.ts';

/** Largest request body accepted on /v1, in bytes; batch endpoints (`…/batch`) take up to 5 MiB. */
export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_BATCH_BODY_BYTES = 5 * 1024 * 1024;

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

export function createApp() {
  const app = createRouter();

  app.use(requestId({ headerName: 'X-Request-Id', limitLength: 128 }));
  app.use(async function serverRequestId(c, next) {
    // hono echoes a valid client X-Request-Id as the request's id; the audit log must not take an id a
    // client chose, so the server makes its own and keeps the client's apart (labelled as the client's).
    const sent = c.req.header('X-Request-Id');
    if (sent !== undefined && sent === c.get('requestId')) {
      c.set('clientRequestId', sent);
      c.set('requestId', crypto.randomUUID());
    }
    await next();
  });
  // Outermost after the id, so it sees the final answer to every request, errors included.
  app.use(drainRequestBody({ maxBytes: MAX_BATCH_BODY_BYTES }));
  app.use(requestLog());
  app.use(securityHeaders());
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
  app.route('/', healthRouter);
  app.route('/', tenantsRouter);
  app.route('/', apiKeysRouter);
  app.route('/', partnerClientsRouter);
  app.route('/', oauthRouter);
  app.route('/', auditEventsRouter);
  app.route('/', externalRatingsRouter);
  app.route('/', internalRatingsRouter);
  app.route('/', unitsRouter);
  app.route('/', benchmarksRouter);
  app.route('/', adminRouter);
  app.route('/', targetsRouter);
  app.route('/', scorecardRouter);
  app.route('/', diagnosticsRouter);
  app.route('/', webhookEndpointsRouter);
  app.route('/', dashboardRouter((request, env, ctx) => app.fetch(request, env, ctx)));
  return app;
}

export type App = ReturnType<typeof createApp>;
