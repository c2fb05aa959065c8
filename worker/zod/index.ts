/**
 * What the bundle gets for `import … from 'zod'` (wrangler.toml `alias`): zod 4 classic without
 * the parts this API never uses, which would otherwise add about 300 KiB minified.
 *
 * @hono/zod-openapi does `import { z } from 'zod'` and passes `z` to `extendZodWithOpenApi`, so
 * esbuild must build the whole namespace object and keeps everything it names: `locales` (and
 * `z.core.locales`), every language's error messages, about 260 KiB, though zod sets English
 * itself; `fromJSONSchema` and `z.core`'s compiler (./core.ts), about 43 KiB. A module's own
 * export shadows one of the same name from `export *`, so here these names get English only or a
 * stand-in that throws, and zod's own tree-shake out. Types, tests and scripts in Node still see
 * the real `zod`.
 */
import { notBundled } from './not-bundled.ts';
import * as z from './index.ts';

export * from 'zod/v4';
export * as core from './core.ts';
export { compile, INVALID, locales, withParser, ZodCompileAsyncError, ZodCompileUnsupportedError } from './core.ts';
export const fromJSONSchema = notBundled('fromJSONSchema');
export { z, z as default };
