import { z } from '@hono/zod-openapi';
import { and, eq, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { idempotencyKeys } from '../../db/schema.ts';
import { inTenant } from '../db/client.ts';
import { sqlState } from '../db/errors.ts';
import { type HashKey, keyedHash, tenantHashKey } from '../domain/pseudonyms.ts';
import type { AppEnv } from '../env.ts';
import { tenantOf } from './auth.ts';
import { ProblemError, type ProblemSet } from './problem.ts';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
/** How long a key's response is replayed; documented in the OpenAPI description of the header. */
export const IDEMPOTENCY_WINDOW = '24 hours';
const KEY = /^[\x21-\x7e]{1,255}$/;
/**
 * The header values `idempotencyKeyOf` accepts, as one pattern for the document: a quoted key, or a bare
 * one that is not quoted at both ends (a lone `"` is bare). tests/unit/http.test.ts checks they agree.
 */
export const DOCUMENTED_KEY_PATTERN = '^(?:"[\\x21-\\x7e]{1,255}"|[\\x21\\x23-\\x7e][\\x21-\\x7e]{0,254}|[\\x21-\\x7e]{0,254}[\\x21\\x23-\\x7e]|")$';

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

export interface ReplayOptions<T> {
  /**
   * What the key stores and a replay answers, when it must differ from `body`: a secret shown once is
   * not kept in the database for the key's lifetime, so its replay carries null instead.
   */
  stored?: T;
  /** Headers that name what the body describes (`Location`), so that a replay names the first request's resource. */
  headers?: (body: T) => Record<string, string>;
  /** Whose key it is, when the caller is not a tenant credential (the operator creating a tenant). */
  scope?: { tenantId: string; credentialId: string };
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
  /** The tenant's key (`tenantHashKey`) if the caller has it; else derived only when a key is sent. */
  hashKey: HashKey | undefined,
  writes: BatchItem<'pg'>[],
  status: S,
  body: T,
  options: ReplayOptions<T> = {},
) {
  const respond = (answer: T) => c.json(answer, status, options.headers?.(answer));
  const db = c.get('db');
  const scope = options.scope ?? credentialScope(c);
  const tenant = { id: scope.tenantId };
  const credential = { id: scope.credentialId };
  const key = idempotencyKeyOf(c);
  if (key === undefined) {
    if (writes.length > 0) await inTenant(db, tenant.id, writes as [BatchItem<'pg'>]);
    return respond(body);
  }
  const fingerprintKey = hashKey ?? (await tenantHashKey(c.env.HASH_SECRET, tenant.id));
  const fingerprint = await keyedHash(fingerprintKey, 'request', `${c.req.method} ${c.req.path}\n${await c.req.text()}`);
  try {
    await inTenant(db, tenant.id, [
      db.execute(
        sql`select claim_idempotency_key(${credential.id}, ${key}, ${fingerprint}, ${c.get('requestId')}, ${status}, ${JSON.stringify(options.stored ?? body)}::jsonb)`,
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
    return c.json(stored.responseBody as T, stored.responseStatus as S, options.headers?.(stored.responseBody as T));
  }
  return respond(body);
}

function credentialScope(c: Context<AppEnv>) {
  const { tenant, credential } = tenantOf(c.get('principal'));
  return { tenantId: tenant.id, credentialId: credential.id };
}


/** What a write that takes the header may answer because of it: a malformed key, a key in flight, a key reused. */
export const IDEMPOTENCY_PROBLEMS = ['invalidParameters', 'idempotencyKeyInUse', 'idempotencyKeyReused'] as const satisfies ProblemSet;

/** The optional header every write documents (the value is checked by `idempotencyKeyOf`). */
export const IdempotencyHeadersSchema = z.object({
  [IDEMPOTENCY_HEADER]: z
    .string()
    // What `idempotencyKeyOf` takes, exactly: a quoted key (sf-string) has 2 characters more than the key.
    .min(1)
    .max(257)
    .openapi({ pattern: DOCUMENTED_KEY_PATTERN })
    .optional()
    .openapi({
      description:
        `Makes a retry safe: the same key with the same request within ${IDEMPOTENCY_WINDOW} replays the first ` +
        'response (header `Idempotent-Replayed: true`) without writing again; with another request it is a 422; ' +
        'while the first request is still running, a 409. A request that fails (4xx/5xx) does not use the key up. ' +
        'Keys are per tenant and credential, 1-255 printable ASCII characters; a UUID is a good choice. A secret ' +
        'shown once (a new API key’s `secret`, a partner client’s `clientSecret`) is never stored, so its replay ' +
        'carries null there: a client that lost the first response revokes that credential and creates another.',
      example: '7f1c1e6e-2b5d-4a8e-9b1a-3c2f4d5e6a7b',
    }),
});
