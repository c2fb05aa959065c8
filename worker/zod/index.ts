/**
 * What the bundle gets for `import … from 'zod'` (wrangler.toml `alias`): zod 4 classic with no
 * locale but English.
 *
 * @hono/zod-openapi does `import { z } from 'zod'` and passes `z` to `extendZodWithOpenApi`, so
 * esbuild must build the whole namespace object, and zod's namespace (and `z.core`'s) holds
 * `locales`: every language's error messages, about 260 KiB minified, which this API never uses
 * (zod sets English itself). A module's own export shadows one of the same name from `export *`,
 * so here `locales` and `core` are replaced by versions without the other languages, which then
 * tree-shake out. Types, tests and scripts in Node still see the real `zod`; only `z.locales` and
 * `z.core.locales` differ, and nothing reads them.
 */
import * as z from './index.ts';

export * from 'zod/v4';
export * as core from './core.ts';
export { locales } from './core.ts';
export { z, z as default };
