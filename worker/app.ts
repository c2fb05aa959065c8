import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { createDatabase } from './db/client.ts';
import { requireJsonBody } from './http/content-type.ts';
import { createNotFoundHandler, handleError } from './http/errors.ts';
import { requestLog } from './http/log.ts';
import { configureOpenApi } from './http/openapi.ts';
import { ProblemError } from './http/problem.ts';
import { createRouter } from './http/router.ts';
import { healthRouter } from './routes/health/index.ts';
import { tenantsRouter } from './routes/tenants/index.ts';

/** Largest request body accepted on /v1, in bytes. */
export const MAX_BODY_BYTES = 1024 * 1024;

export function createApp() {
  const app = createRouter();

  app.use(requestId({ headerName: 'X-Request-Id', limitLength: 128 }));
  app.use(requestLog());
  app.use(secureHeaders());
  app.use(async function database(c, next) {
    // Creating the client opens nothing: queries go out over fetch when awaited.
    c.set('db', createDatabase(c.env));
    await next();
  });
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ProblemError('payloadTooLarge', `The body exceeds ${MAX_BODY_BYTES} bytes.`);
      },
    }),
    requireJsonBody(),
  );

  app.onError(handleError);
  app.notFound(createNotFoundHandler(() => app.routes));

  configureOpenApi(app);
  app.route('/', healthRouter);
  app.route('/', tenantsRouter);
  return app;
}

export type App = ReturnType<typeof createApp>;
