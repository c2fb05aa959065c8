/**
 * What the bundle gets for `@asteasolutions/zod-to-openapi` (wrangler.toml `alias`), the document generator
 * under @hono/zod-openapi. The worker never generates its document: `npm run openapi` does, in Node with the
 * real package, and the worker serves that file as a static asset (worker/http/openapi.ts). So the routes'
 * `.openapi(…)` metadata, the registry and the generators (with zod's JSON Schema conversion, about 15 KiB
 * gzip together) are left out here: `.openapi()` returns its schema unchanged, which validates alike, and
 * the registry records nothing. Types, tests and scripts in Node still see the real package.
 */
import type { ZodType } from 'zod';

/** The registry OpenAPIHono keeps per router: documentation only, so nothing is kept. */
export class OpenAPIRegistry {
  readonly definitions: never[] = [];
  register<T>(_refId: string, schema: T): T {
    return schema;
  }
  registerParameter<T>(_refId: string, schema: T): T {
    return schema;
  }
  registerPath(): void {}
  registerWebhook(): void {}
  registerComponent(): void {}
}

/** The generators are unreachable in the worker (OpenAPIHono's `getOpenAPI31Document` and `doc31`, unused). */
class DocumentGenerator {
  generateDocument(): never {
    throw new Error('The worker does not generate its OpenAPI document: `npm run openapi` does, and the worker serves the file.');
  }
}
export { DocumentGenerator as OpenApiGeneratorV3, DocumentGenerator as OpenApiGeneratorV31 };

export const getOpenApiMetadata = () => ({});

/** Gives every zod schema the `.openapi(…)` the routes call, as the identity. */
export function extendZodWithOpenApi(zod: { ZodType: { prototype: object } }): void {
  Object.assign(zod.ZodType.prototype, {
    openapi<T extends ZodType>(this: T): T {
      return this;
    },
  });
}
