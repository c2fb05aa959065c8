/**
 * `npm run openapi`: writes openapi/openapi.json from the routes' zod schemas. The committed file
 * is what partners and the typed client read; tests/api/openapi.test.ts fails when it drifts.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../worker/app.ts';
import { documentConfig } from '../worker/http/openapi.ts';

export const OPENAPI_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../openapi/openapi.json');

export function renderOpenApiDocument(): string {
  return `${JSON.stringify(createApp().getOpenAPI31Document(documentConfig), null, 2)}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await writeFile(OPENAPI_FILE, renderOpenApiDocument());
  console.log(`wrote ${path.relative(process.cwd(), OPENAPI_FILE)}`);
}
