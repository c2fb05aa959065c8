import { z } from '@hono/zod-openapi';
import { and, eq, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { idempotencyKeys } from '../../db/schema.ts';
import { inTenant } from '../db/client.ts';
import { sqlState } from '../db/errors.ts';
import { type HashKey, keyedHash } from '../domain/pseudonyms.ts';
import type { AppEnv } from '../env.ts';
import { tenantOf } from './auth.ts';
import { ProblemError } from './problem.ts';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
/** How long a key's response is replayed; documented in the OpenAPI description of the header. */
export const IDEMPOTENCY_WINDOW = '24 hours';
const KEY = /^[\x21-\x7e]{1,255}$/;

/** The request's Idempotency-Key, if any: bare (as Stripe's clients send it) or a quoted sf-string (IETF draft). */
export function idempotencyKeyOf(c: Context<AppEnv>): string | undefined {
  const raw = c.req.header(IDEMPOTENCY_HEADER);
  if (raw === undefined) return undefined;
  const key = /^"(.*)"$/.exec(raw)?.[1] ?? raw;
  if (!KEY.test(key)) {
    throw new ProblemError('invalidParameters', `${IDEMPOTENCY_HEADER} must be 1-255 printable ASCII characters without spaces.`, {
      errors: [{ location: 'header', pointer: `/${IDEMPOTENCY_HEADER}`, detail: 'Invalid idempotency key' }],
    });
  }
  return key;
}

/**
 * Runs a write whose response is known before it runs, exactly once per Idempotency-Key: the key is
 * claimed (`claim_idempotency_key`, migration 0004) in the same batch as the writes, with the
 * response, so a first write is still one round trip. A key already used replays the stored
 * response (`Idempotent-Replayed: true`) if the request is the same, and is refused (422) if not;
 * a key whose first request is still running is a 409. Without the header, the writes just run.
 */
export async function writeOnce<T, S extends ContentfulStatusCode>(
  c: Context<AppEnv>,
  hashKey: HashKey,
  writes: BatchItem<'pg'>[],
  status: S,
  body: T,
) {
  const db = c.get('db');
  const { tenant, credential } = tenantOf(c.get('principal'));
  const key = idempotencyKeyOf(c);
  if (key === undefined) {
    if (writes.length > 0) await inTenant(db, tenant.id, writes as [BatchItem<'pg'>]);
    return c.json(body, status);
  }
  const fingerprint = await keyedHash(hashKey, 'request', `${c.req.method} ${c.req.path}\n${await c.req.text()}`);
  try {
    await inTenant(db, tenant.id, [
      db.execute(
        sql`select claim_idempotency_key(${credential.id}, ${key}, ${fingerprint}, ${c.get('requestId')}, ${status}, ${JSON.stringify(body)}::jsonb)`,
      ),
      ...writes,
    ]);
  } catch (error) {
    const state = sqlState(error);
    if (state === 'IK409') {
      throw new ProblemError('idempotencyKeyInUse', 'The first request with this Idempotency-Key is still running; retry once it has completed.', {
        headers: { 'Retry-After': '1' },
      });
    }
    if (state !== 'IK200') throw error;
    const [[stored]] = await inTenant(db, tenant.id, [
      db
        .select()
        .from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.tenantId, tenant.id), eq(idempotencyKeys.credentialId, credential.id), eq(idempotencyKeys.key, key))),
    ]);
    // Gone between the two trips only if it expired that instant: the retry will claim it afresh.
    if (!stored) throw new ProblemError('idempotencyKeyInUse', 'The Idempotency-Key changed state; retry.', { headers: { 'Retry-After': '1' } });
    if (stored.requestFingerprint !== fingerprint) {
      throw new ProblemError(
        'idempotencyKeyReused',
        `This ${IDEMPOTENCY_HEADER} was used in the last ${IDEMPOTENCY_WINDOW} for a request with another method, path or body; use a new key.`,
      );
    }
    c.header('Idempotent-Replayed', 'true');
    return c.json(stored.responseBody as T, stored.responseStatus as S);
  }
  return c.json(body, status);
}

/** The optional header every write documents (the value is checked by `idempotencyKeyOf`). */
export const IdempotencyHeadersSchema = z.object({
  [IDEMPOTENCY_HEADER]: z
    .string()
    .optional()
    .openapi({
      description:
        `Makes a retry safe: the same key with the same request within ${IDEMPOTENCY_WINDOW} replays the first ` +
        'response (header `Idempotent-Replayed: true`) without writing again; with another request it is a 422; ' +
        'while the first request is still running, a 409. Keys are per tenant and credential, 1-255 printable ' +
        'ASCII characters; a UUID is a good choice.',
      example: '7f1c1e6e-2b5d-4a8e-9b1a-3c2f4d5e6a7b',
    }),
});
