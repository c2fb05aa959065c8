import { z } from '@hono/zod-openapi';
import { docsPage } from './docs-page.ts';
import type { AppRouter } from './router.ts';
import { DOCS_PATH } from './security-headers.ts';

export const API_TITLE = 'Service Culture Benchmark API';

/**
 * Where the document is served. `npm run openapi` generates it (./openapi-document.ts) and the assets
 * carry it (scripts/lib/assets.ts), so the worker neither builds nor holds it: no generator in the bundle,
 * no document built on a cold start.
 */
export const OPENAPI_PATH = '/openapi.json';

/** Scalar's standalone browser bundle, a static asset. */
export const SCALAR_BUNDLE_PATH = '/docs/scalar.js';

export function configureOpenApi(app: AppRouter): void {
  app.get(OPENAPI_PATH, async function openApiDocument(c) {
    const asset = await c.env.ASSETS.fetch(new URL(OPENAPI_PATH, c.req.url).href);
    // Missing only from a deployment made without scripts/lib/assets.ts: a fault of ours, not the caller's.
    if (!asset.ok) throw new Error(`the OpenAPI document is not among the assets (${asset.status})`);
    // A response of our own: the asset's headers are immutable, and the middleware adds to them.
    return new Response(asset.body, { headers: { 'content-type': 'application/json' } });
  });
  app.get(DOCS_PATH, (c) =>
    c.html(
      docsPage({
        title: API_TITLE,
        // Served from this origin (wrangler.toml [assets], scripts/lib/assets.ts), never a CDN.
        bundle: SCALAR_BUNDLE_PATH,
        // The CSP admits the bundle and the start-up script by this nonce (security-headers.ts).
        nonce: c.get('secureHeadersNonce') ?? '',
        config: {
          url: OPENAPI_PATH,
          // Nothing but this origin: no web fonts, no telemetry, no hosted AI agent.
          withDefaultFonts: false,
          telemetry: false,
          agent: { disabled: true },
          // Partners arrive to read about credentials first.
          authentication: { preferredSecurityScheme: 'apiKey' },
          // Hosted services this page has no business calling.
          showDeveloperTools: 'never',
          mcp: { disabled: true },
        },
      }),
    ),
  );
}

type RouteConfig = Parameters<AppRouter['openAPIRegistry']['registerPath']>[0];
type Responses = RouteConfig['responses'];

/** A response header every operation under some paths carries; a string, as all such headers are. */
export interface DocumentedHeader {
  description: string;
  schema: { type: 'string'; maxLength: number; pattern?: string; format?: string };
}

/**
 * Rewrites each operation whose path starts with one of `prefixes` as its router registers it, to
 * document what middleware adds to all of them, so no route, present or future, has to list it.
 * Call before the routers are mounted.
 */
export function documentOperations(app: AppRouter, prefixes: readonly string[], rewrite: (route: RouteConfig) => RouteConfig): void {
  const registry = app.openAPIRegistry;
  const register = registry.registerPath.bind(registry);
  registry.registerPath = (route) => register(prefixes.some((prefix) => route.path.startsWith(prefix)) ? rewrite(route) : route);
}

/** `responses` with `headers` added to each response, whether its own headers are a zod object or plain. */
export function withResponseHeaders(responses: Responses, headers: Record<string, DocumentedHeader>): Responses {
  return Object.fromEntries(
    Object.entries(responses).map(([status, response]) => {
      if ('$ref' in response) return [status, response];
      const own = response.headers;
      const merged =
        own instanceof z.ZodObject
          ? own.extend(
              Object.fromEntries(
                // Optional, as a plain header object's are by default: middleware adds these only sometimes (CORS
                // for an allowed Origin), and a strict validator flags a required header that is absent.
                Object.entries(headers).map(([name, { description, schema }]) => [name, z.string().optional().openapi({ ...schema, description })]),
              ),
            )
          : { ...headers, ...own };
      return [status, { ...response, headers: merged }];
    }),
  );
}
