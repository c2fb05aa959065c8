/**
 * The worker's static assets (wrangler.toml `[assets]`): Scalar's standalone bundle, which /docs loads
 * from its own origin instead of a CDN (offline machines, CI, and a CSP of 'self'), copied from
 * node_modules, so git-ignored and rebuilt before every bundle, `wrangler dev` and deploy; the OpenAPI
 * document, which `npm run openapi` generates and the worker serves (the bundle has no generator); and
 * `assets/favicon.ico` (16×16, committed), which keeps the folder present in a fresh clone.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ASSETS_DIR = path.join(ROOT, 'assets');

/** Source in node_modules → path under the assets folder (= URL path). */
const ASSETS: Record<string, string> = {
  'node_modules/@scalar/api-reference/dist/browser/standalone.js': 'docs/scalar.js',
};

/** The committed OpenAPI document, served by the worker at this path under the assets folder (worker/http/openapi.ts). */
const OPENAPI_SOURCE = 'openapi/openapi.json';
const OPENAPI_TARGET = 'openapi.json';

/** Copies what is missing or changed; a file already in place is left alone, since a running worker may be serving it. */
export function prepareAssets(): void {
  for (const [source, target] of Object.entries(ASSETS)) {
    const from = path.join(ROOT, source);
    const to = path.join(ASSETS_DIR, target);
    if (existsSync(to) && statSync(to).size === statSync(from).size) continue;
    mkdirSync(path.dirname(to), { recursive: true });
    copyFileSync(from, to);
  }
  // Compacted, as the generator's own JSON answer was; rewritten only when it changed.
  const document = JSON.stringify(JSON.parse(readFileSync(path.join(ROOT, OPENAPI_SOURCE), 'utf8')));
  const target = path.join(ASSETS_DIR, OPENAPI_TARGET);
  if (!existsSync(target) || readFileSync(target, 'utf8') !== document) writeFileSync(target, document);
}
