/**
 * Spectral (spectral:oas + the OWASP API Security ruleset, .spectral.yaml) on the committed document:
 * no errors and no warnings. A rule that does not fit is turned off in .spectral.yaml with the reason.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'node_modules/@stoplight/spectral-cli/dist/index.js');

interface SpectralResult {
  code: string;
  message: string;
  path: string[];
  severity: number;
}

test('Spectral finds nothing in openapi/openapi.json', () => {
  const run = spawnSync(process.execPath, [CLI, 'lint', 'openapi/openapi.json', '--ruleset', '.spectral.yaml', '--format', 'json', '--quiet'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(run.error).toBeUndefined();
  const results = JSON.parse(run.stdout || '[]') as SpectralResult[];
  const lines = results.map(({ severity, code, message, path: at }) => `${['error', 'warning', 'info', 'hint'][severity]} ${code} at ${at.join('.')}: ${message}`);
  expect(lines).toEqual([]);
  // Spectral parses the whole document and loads the OWASP ruleset: seconds alone, far more with the suite running.
}, 120_000);
