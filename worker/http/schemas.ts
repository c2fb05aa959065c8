import { z } from '@hono/zod-openapi';
import { SCOPES } from '../../db/schema.ts';
import { conflictingScopes } from '../domain/scopes.ts';

/*
 * The formats every schema uses, each with a maxLength: the format implies a length already (or, for
 * timestamps, allows any fraction of a second), and OWASP API4 asks that inputs say so.
 */

/** Every timestamp the API writes or reads: RFC 3339 with an offset (`…Z` in responses). */
export const timestamp = z.iso.datetime({ offset: true }).max(64);

/**
 * A UUID in its 8-4-4-4-12 hex form. Ids are UUIDv7, but any such string is taken (Postgres' uuid does):
 * JSON Schema's `format: uuid` allows any variant digit, so a client validating against the document
 * may send one that RFC 9562's variant check (`z.uuid()`) would refuse.
 */
export const uuid = () => z.guid().max(36);

/** A calendar day, `YYYY-MM-DD`. */
export const isoDate = () => z.iso.date().max(10);

/**
 * NUL and unpaired UTF-16 surrogates: Postgres stores neither (text refuses NUL, jsonb both, and a
 * surrogate sent as UTF-8 became U+FFFD), so free text with them was a 500 or came back altered.
 */
const UNSTORABLE = /[\u0000\p{Cs}]/u;

/** Free text a client sends (names, comments, references): any Unicode that Postgres can store. */
export const text = () =>
  z.string().refine((value) => !UNSTORABLE.test(value), { message: 'Must not contain NUL or unpaired UTF-16 surrogates' });

/** An integer; every one the API takes or gives fits 32 bits. */
export const integer = () => z.number().int().openapi({ format: 'int32' });

/** The path parameters of a route on one resource, `/{id}`: a UUID that `description` names. */
export function idParamsSchema(description: string) {
  return z.object({ id: uuid().openapi({ param: { name: 'id', in: 'path' }, description }) });
}

/**
 * The scopes asked for a new API key or partner client: at least one, each once. That they are
 * among the caller's own is checked by `requireGrantable`, which knows the caller.
 */
export const GrantedScopesSchema = z
  .array(z.enum(SCOPES))
  .min(1)
  .max(SCOPES.length)
  .refine((scopes) => new Set(scopes).size === scopes.length, { message: 'Each scope may appear only once' })
  .refine((scopes) => conflictingScopes(scopes).length === 0, {
    message: '`internal-ratings:write` excludes `reports:read` and `admin`: a credential that writes employees’ answers may not read figures',
  })
  .openapi({
    description:
      "At most the caller's own scopes (`admin` counts as all). `internal-ratings:write` may not be combined with `reports:read` or `admin` " +
      '(a writer of internal ratings who could read the figures could pad a small group with known answers).',
    example: ['ratings:write'],
  });
