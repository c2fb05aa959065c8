import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { z } from 'zod';
import { wranglerBundle } from '../../scripts/lib/worker.ts';
import * as standIn from '../../worker/zod/openapi.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// The bundle's @asteasolutions/zod-to-openapi is worker/zod/openapi.ts (wrangler.toml alias): a name
// @hono/zod-openapi imports and the stand-in lacks would be undefined in production only.
test('the stand-in exports every name @hono/zod-openapi imports from the generator', () => {
  const source = readFileSync(path.join(ROOT, 'node_modules/@hono/zod-openapi/dist/index.mjs'), 'utf8');
  const [, names] = /import\s*\{([^}]*)\}\s*from\s*["']@asteasolutions\/zod-to-openapi["']/.exec(source) ?? [];
  const imported = names!.split(',').map((name) => name.trim().split(/\s+as\s+/)[0]!).filter(Boolean);
  expect(imported.length).toBeGreaterThan(0);
  expect(imported.filter((name) => !(name in standIn))).toEqual([]);
});

test("the stand-in's .openapi() leaves a schema as it validates", () => {
  const zod = { ZodType: class {} as { prototype: object } };
  standIn.extendZodWithOpenApi(zod);
  const schema = z.string().min(2);
  const openapi = (zod.ZodType.prototype as { openapi(this: unknown): unknown }).openapi;
  expect(openapi.call(schema)).toBe(schema);
  expect(() => new standIn.OpenApiGeneratorV31().generateDocument()).toThrow(/npm run openapi/);
});

test('the deploy bundle leaves out the document generator: the worker serves the generated file', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sc-openapi-bundle-'));
  try {
    const metafile = path.join(dir, 'bundle-meta.json');
    wranglerBundle(dir, ['--metafile', metafile]);
    const inputs = Object.keys((JSON.parse(readFileSync(metafile, 'utf8')) as { inputs: Record<string, unknown> }).inputs);
    expect(inputs.filter((input) => input.includes('zod-to-openapi') || input.endsWith('worker/http/openapi-document.ts'))).toEqual([]);
    expect(inputs.some((input) => input.endsWith('worker/zod/openapi.ts'))).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
