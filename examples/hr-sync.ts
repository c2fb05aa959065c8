/**
 * An HR tool's nightly sync: the anonymous answers of its internal service survey, sent as internal
 * ratings in batches (all or nothing per batch; the client's Idempotency-Key makes a retried batch
 * count once). HR_SYNC_ANSWERS (default 120) answers in batches of HR_SYNC_BATCH_SIZE (default 50, at
 * most 1,000), about the unit HR_SYNC_UNIT_REF (default `it-service-desk`).
 *
 * Internal ratings need `internal-ratings:write`, a scope that `admin` does not imply and that no
 * credential may hold with `reports:read` (README, Anonymity). So the sync writes with a key of that
 * scope alone: HR_SYNC_API_KEY, or one it mints with the admin credential for this run and revokes.
 */
import { createClient, unwrap } from '../openapi/client/index.ts';
import type { components } from '../openapi/client/index.ts';
import { clientFromEnv, run, unitByRef } from './lib.ts';

const ANSWERS = Number(process.env.HR_SYNC_ANSWERS ?? 120);
const BATCH_SIZE = Number(process.env.HR_SYNC_BATCH_SIZE ?? 50);
const UNIT_REF = process.env.HR_SYNC_UNIT_REF ?? 'it-service-desk';

/** A survey answer as the HR tool would export it; scores vary by the answer's number. */
function answer(unitId: string, i: number): components['schemas']['InternalRatingInput'] {
  const score = (offset: number) => 1 + ((i + offset) % 5);
  return {
    unitId,
    occurredOn: new Date().toISOString().slice(0, 10),
    commitments: score(0),
    internalCulture: score(1),
    empowerment: score(2),
    recognition: score(3),
    leadershipSupport: score(4),
    knowledge: score(2),
    ability: score(3),
    willingness: 5,
    tenureBand: i % 3 ? 'established' : 'new',
    role: (['frontline', 'support', 'leader'] as const)[i % 3]!,
    recommendEmployer: (i * 7) % 11,
  };
}

/** A client that can only write internal ratings, and how to be rid of it. */
async function writerOf(api: ReturnType<typeof clientFromEnv>) {
  const baseUrl = process.env.SC_API_URL ?? 'http://127.0.0.1:8787';
  if (process.env.HR_SYNC_API_KEY) return { writer: createClient({ baseUrl, apiKey: process.env.HR_SYNC_API_KEY }), done: async () => {} };
  const expiresAt = new Date(Date.now() + 60 * 60 * 1000).toISOString();
  const key = unwrap(await api.POST('/v1/api-keys', { body: { name: 'hr-sync (one run)', scopes: ['internal-ratings:write'], expiresAt } }));
  const done = async () => void unwrap(await api.DELETE('/v1/api-keys/{id}', { params: { path: { id: key.id } } }));
  // The secret is null only in an idempotent replay, which this request (no Idempotency-Key) cannot be.
  if (key.secret === null) throw new Error('The new key came without its secret.');
  return { writer: createClient({ baseUrl, apiKey: key.secret }), done };
}

run(async () => {
  const api = clientFromEnv();
  const unit = await unitByRef(api, UNIT_REF, 'IT service desk', 'internal-supplier');
  const answers = Array.from({ length: ANSWERS }, (_, i) => answer(unit.id, i));
  const { writer, done } = await writerOf(api);
  let sent = 0;
  try {
    for (let start = 0; start < answers.length; start += BATCH_SIZE) {
      const items = answers.slice(start, start + BATCH_SIZE);
      const { count } = unwrap(await writer.POST('/v1/internal-ratings/batch', { body: { items } }));
      sent += count;
      console.log(`batch ${start / BATCH_SIZE + 1}: ${count} internal ratings accepted`);
    }
  } finally {
    await done();
  }
  console.log(`hr-sync sent ${sent} internal ratings about "${unit.name}" in ${Math.ceil(answers.length / BATCH_SIZE)} batches`);
});
