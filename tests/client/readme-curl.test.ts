/**
 * Issue 19: the README's curl quickstart runs, as a reader would run it, against the test worker. Only
 * what a reader copies by hand is done for them: the base URL and operator token, each `VAR=…`
 * placeholder taken from the answer just above it, and the "GET it until succeeded" the prose asks for.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { api, operatorToken, workerUrl } from '../api/helpers.ts';
import { blockAfter } from '../lib/readme.ts';

const block = blockAfter('## Partner quickstart', 'sh');

/** Where each placeholder's value is in the answer printed above it. */
const PLACEHOLDERS: [RegExp, string][] = [
  [/^KEY=sck_….*$/m, 'KEY=$(pick apiKey.secret)'],
  [/^CLIENT_ID=019…; CLIENT_SECRET=scs_…$/m, 'CLIENT_ID=$(pick clientId); CLIENT_SECRET=$(pick clientSecret)'],
  [/^UNIT=019…$/m, 'UNIT=$(pick id)'],
  [/^TOKEN=eyJ…$/m, 'TOKEN=$(pick access_token)'],
];

function runnable(): string {
  let script = block.replace(/\\\n\s*/g, '');
  const start = 'API=http://127.0.0.1:8787; OPERATOR=$(cat .local/operator-token)';
  expect(script).toContain(start);
  script = script.replace(start, `API=${workerUrl}; OPERATOR=${operatorToken}`);
  for (const [placeholder, value] of PLACEHOLDERS) {
    expect(script, String(placeholder)).toMatch(placeholder);
    script = script.replace(placeholder, value);
  }
  const poll = 'curl -s $API/v1/admin/job-runs/019… -H "Authorization: Bearer $OPERATOR"';
  expect(script).toContain(poll);
  script = script.replace(
    poll,
    'RUN=$(pick id); for i in $(seq 100); do curl -s $API/v1/admin/job-runs/$RUN -H "Authorization: Bearer $OPERATOR" | grep -q \'"status":"succeeded"\' && break; sleep 0.2; done',
  );
  // Every curl's answer is kept for the next placeholder, and printed one per line.
  const lines = script.split('\n').map((line) => (/^curl /.test(line) ? `LAST=$(${line}); echo "$LAST"` : line));
  const pick = `pick() { node -e 'let v = JSON.parse(process.argv[1]); for (const k of process.argv[2].split(".")) v = v[k]; console.log(v)' "$LAST" "$1"; }`;
  return ['set -euo pipefail', pick, ...lines].join('\n');
}

test('the curl quickstart runs as written: a tenant, a partner, a token, a rating, a job, a benchmark', async () => {
  const { stdout } = await promisify(execFile)('bash', ['-c', runnable()], { timeout: 60_000 });
  const answers = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, any>);
  expect(answers[0]).toMatchObject({ tenant: { name: 'Acme Insurance' }, apiKey: { secret: expect.stringMatching(/^sck_/) } });
  expect(answers[3]).toMatchObject({ token_type: 'Bearer', scope: 'ratings:write reports:read' });
  expect(answers[4]).toMatchObject({ id: expect.any(String), overall: 4 });
  expect(answers.at(-1)).toMatchObject({ measure: 'csat', cohort: { kind: 'industry', value: 'insurance' } });
  const key = answers[0]!.apiKey.secret as string;
  const { data } = (await (await api(`/v1/external-ratings?unitId=${answers[2]!.id}`, { key })).json()) as { data: unknown[] };
  expect(data).toHaveLength(1);
});
