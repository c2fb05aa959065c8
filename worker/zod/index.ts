/**
 * What the bundle gets for `import … from 'zod'` and `'zod/v4'` (wrangler.toml `alias`; drizzle-zod
 * imports the latter): zod 4 classic, with a `z` that holds only the names this API uses. Classic is
 * imported by its file, as both package paths lead back here.
 *
 * @hono/zod-openapi does `import { z } from 'zod'`, passes `z` to `extendZodWithOpenApi` and
 * re-exports it; were `z` zod's namespace object, esbuild would have to keep everything it names:
 * every language's error messages (`z.locales`, about 260 KiB minified), `z.core` with its schema
 * compiler and JSON Schema conversion, and each top-level schema zod has. A plain object of the names
 * used lets the rest tree-shake. A name missing here is `undefined` in the bundle (the API tests run
 * it, and tests/unit/zod-bundle.test.ts checks the source's `z.<name>` uses against this list): add
 * it. Types, tests and scripts in Node still see the real `zod`.
 */
import {
  array,
  boolean,
  coerce,
  enum as enumeration,
  guid,
  iso,
  literal,
  NEVER,
  number,
  object,
  record,
  strictObject,
  string,
  union,
  unknown,
  url,
  uuid,
  ZodNullable,
  ZodNumber,
  ZodObject,
  ZodType,
} from '../../node_modules/zod/v4/classic/external.js';

export * from '../../node_modules/zod/v4/classic/external.js';

export const z = {
  array,
  boolean,
  coerce,
  enum: enumeration,
  guid,
  iso,
  literal,
  NEVER,
  number,
  object,
  record,
  strictObject,
  string,
  union,
  unknown,
  url,
  uuid,
  ZodNullable,
  ZodNumber,
  ZodObject,
  ZodType,
};
export default z;
