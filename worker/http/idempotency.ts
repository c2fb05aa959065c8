import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { IDEMPOTENCY_WINDOW, type IdempotencyClaim, type Replay } from '../db/idempotency.ts';
import { type HashKey, keyedHash, tenantHashKey } from '../domain/pseudonyms.ts';
import type { AppEnv } from '../env.ts';
import { tenantOf } from './auth.ts';
import { ProblemError, type ProblemSet } from './problem.ts';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
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

export interface Answer<T, S extends ContentfulStatusCode> {
  status: S;
  body: T;
  /**
   * What the key stores and a replay answers, when it must differ from `body`: a secret shown once is
   * not kept in the database for the key's lifetime, so its replay carries null instead.
   */
  stored?: T;
  /** Headers that name what the body describes (`Location`), so that a replay names the first request's resource. */
  headers?: (body: T) => Record<string, string>;
  /** The tenant's key (`tenantHashKey`) if the caller has it; else derived only when a key is sent. */
  hashKey?: HashKey;
  /** Whose key it is, when the caller is not a tenant credential (the operator creating a tenant). */
  scope?: { tenantId: string; credentialId: string };
}

/**
 * Answers a write whose response is known before it runs, exactly once per Idempotency-Key: `write`
 * is the one db/ function that runs the write with the claim this builds from the header (none
 * without it) and says whether the key's first response is to be replayed instead
 * (`Idempotent-Replayed: true`). The db/ side owns the claim's SQL (db/idempotency.ts `writeOnce`).
 */
export async function respondOnce<T, S extends ContentfulStatusCode>(
  c: Context<AppEnv>,
  answer: Answer<T, S>,
  write: (claim: IdempotencyClaim | undefined) => Promise<Replay | undefined>,
) {
  const { status, body, headers } = answer;
  const replay = await write(await claimOf(c, answer));
  if (!replay) return c.json(body, status, headers?.(body));
  c.header('Idempotent-Replayed', 'true');
  return c.json(replay.body as T, replay.status as S, headers?.(replay.body as T));
}

/** The claim of the request's Idempotency-Key, with the response to keep; undefined without the header. */
async function claimOf<T>(c: Context<AppEnv>, answer: Answer<T, ContentfulStatusCode>): Promise<IdempotencyClaim | undefined> {
  const key = idempotencyKeyOf(c);
  if (key === undefined) return undefined;
  const { tenantId, credentialId } = answer.scope ?? credentialScope(c);
  const fingerprintKey = answer.hashKey ?? (await tenantHashKey(c.env.HASH_SECRET, tenantId));
  const fingerprint = await keyedHash(fingerprintKey, 'request', `${c.req.method} ${c.req.path}\n${await c.req.text()}`);
  return { credentialId, key, fingerprint, requestId: c.get('requestId'), status: answer.status, body: answer.stored ?? answer.body };
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
