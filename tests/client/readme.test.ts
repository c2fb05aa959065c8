/**
 * Issue 19: the README's code cannot rot. Its "The same in TypeScript" block runs, as written, against
 * the test worker: only the base URL is swapped, and the variables it assumes (a partner client's id
 * and secret, a unit) are defined before it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, expect, test } from 'vitest';
import { api, type CreatedTenant, createPartnerClient, createTenant, createUnit, operatorToken, workerUrl } from '../api/helpers.ts';
import { blockAfter } from '../lib/readme.ts';

const TSX = path.resolve('node_modules/.bin/tsx');

let tenant: CreatedTenant;
beforeAll(async () => {
  tenant = await createTenant({ name: 'README reader', benchmarkOptIn: true });
  // The block reads a benchmark, which exists once the job has run.
  expect((await api('/v1/admin/jobs/benchmarks', { method: 'POST', key: operatorToken, json: {} })).status).toBeLessThan(300);
});

test('the TypeScript quickstart runs as written: a rating accepted, a benchmark read', async () => {
  const code = blockAfter('### The same in TypeScript', 'ts');
  expect(code).toContain("'http://127.0.0.1:8787'");
  const client = await createPartnerClient(tenant.apiKey.secret, { scopes: ['ratings:write', 'reports:read'] });
  const unit = await createUnit(tenant.apiKey.secret);
  // In the repository root, so the block's import path resolves as it does for a reader.
  const dir = mkdtempSync(path.resolve('.readme-'));
  const file = path.join(dir, 'quickstart.ts');
  const prelude = [
    `const clientId = ${JSON.stringify(client.clientId)};`,
    `const clientSecret = ${JSON.stringify(client.clientSecret)};`,
    `const unitId = ${JSON.stringify(unit.id)};`,
  ].join('\n');
  const body = code.replace("'http://127.0.0.1:8787'", JSON.stringify(workerUrl)).replace("'./openapi/client/index.ts'", "'../openapi/client/index.ts'");
  const [importLine, ...rest] = body.split('\n');
  writeFileSync(file, [importLine, prelude, ...rest, 'console.log(JSON.stringify(benchmark));'].join('\n'));
  try {
    const { stdout } = await promisify(execFile)(TSX, [file], { timeout: 30_000 });
    expect(JSON.parse(stdout)).toMatchObject({ measure: 'csat', cohort: { kind: 'industry' } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const { data } = (await (await api(`/v1/external-ratings?unitId=${unit.id}`, { key: tenant.apiKey.secret })).json()) as { data: unknown[] };
  expect(data).toHaveLength(1);
});
