import { z } from '@hono/zod-openapi';
import { SCOPES } from '../../db/schema.ts';

/** Every timestamp the API writes or reads: RFC 3339 with an offset (`…Z` in responses). */
export const timestamp = z.iso.datetime({ offset: true });

/** The path parameters of a route on one resource, `/{id}`: a UUID that `description` names. */
export function idParamsSchema(description: string) {
  return z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' }, description }) });
}

/**
 * The scopes asked for a new API key or partner client: at least one, each once. That they are
 * among the caller's own is checked by `requireGrantable`, which knows the caller.
 */
export const GrantedScopesSchema = z
  .array(z.enum(SCOPES))
  .min(1)
  .refine((scopes) => new Set(scopes).size === scopes.length, { message: 'Each scope may appear only once' })
  .openapi({ description: "At most the caller's own scopes (`admin` counts as all).", example: ['ratings:write'] });
