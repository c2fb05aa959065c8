/**
 * Issue 19: the typed client ships as a package, not TypeScript source only: `npm run build:client`
 * emits JavaScript and declarations that load in plain Node, under the repository's MIT license.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const CLIENT = path.resolve('openapi/client');

test('the client builds to index.js and index.d.ts that plain Node imports', { timeout: 60_000 }, async () => {
  // Inside the repository, so the output resolves openapi-fetch from node_modules as an installed package would.
  const out = mkdtempSync(path.resolve('.client-build-'));
  try {
    await promisify(execFile)(process.execPath, [path.resolve('node_modules/typescript/bin/tsc'), '-p', path.join(CLIENT, 'tsconfig.json'), '--outDir', out]);
    copyFileSync(path.join(CLIENT, 'schema.d.ts'), path.join(out, 'schema.d.ts'));
    expect(existsSync(path.join(out, 'index.d.ts'))).toBe(true);
    expect(readFileSync(path.join(out, 'index.d.ts'), 'utf8')).toContain('createClient');
    const client = (await import(pathToFileURL(path.join(out, 'index.js')).href)) as { createClient: unknown; unwrap: unknown };
    expect(typeof client.createClient).toBe('function');
    expect(typeof client.unwrap).toBe('function');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('package.json exports the built files, MIT licensed, with the license in the package', () => {
  const manifest = JSON.parse(readFileSync(path.join(CLIENT, 'package.json'), 'utf8'));
  expect(manifest.license).toBe('MIT');
  expect(manifest.exports['.']).toEqual({ types: './index.d.ts', default: './index.js' });
  expect(manifest.files).toEqual(expect.arrayContaining(['index.js', 'index.d.ts', 'schema.d.ts', 'LICENSE']));
  expect(readFileSync(path.join(CLIENT, 'LICENSE'), 'utf8')).toBe(readFileSync('LICENSE', 'utf8'));
});
