import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { z as bundled } from '../../worker/zod/index.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

// The bundle's `z` (wrangler.toml aliases zod to worker/zod/index.ts) names only what the API uses; a name
// missing there would be undefined in production while types and Node tests see the real zod.
test("every z.<name> the worker's code uses is in the bundle's z", () => {
  const used = new Set<string>();
  // worker/zod/ itself is where the names are listed (and its comments name what is left out).
  for (const file of [...sources('worker'), ...sources('db')].filter((file) => !file.includes(`${path.sep}zod${path.sep}`))) {
    // Values only: `z.infer<…>` and other types are erased.
    for (const [, name] of readFileSync(file, 'utf8').matchAll(/\bz\.([A-Za-z_$][\w$]*)\b(?!\s*<)/g)) used.add(name!);
  }
  expect(used.size).toBeGreaterThan(10);
  expect([...used].filter((name) => !(name in bundled))).toEqual([]);
});

// drizzle-zod (`import { z } from 'zod/v4'`, aliased to the same file) builds schemas from the bundle's z too,
// as `z.<name>`, `z$1.<name>` or `zod.<name>`; checked once it is installed.
test('every z.<name> drizzle-zod calls is in the bundle\'s z', () => {
  const dist = path.join(ROOT, 'node_modules/drizzle-zod/index.mjs');
  if (!existsSync(dist)) return;
  const used = new Set([...readFileSync(dist, 'utf8').matchAll(/\b(?:z|z\$1|zod)\.([A-Za-z_$][\w$]*)/g)].map(([, name]) => name!));
  expect([...used].filter((name) => !(name in bundled))).toEqual([]);
});
