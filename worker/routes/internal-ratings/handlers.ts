import type { RouteHandler } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { internalRatingRow, type NewInternalRating } from '../../db/internal-ratings.ts';
import { recordInternalRatings } from '../../db/ratings.ts';
import { tenantHashKey } from '../../domain/pseudonyms.ts';
import type { AppEnv } from '../../env.ts';
import { actingOf, tenantOf } from '../../http/auth.ts';
import { respondOnce } from '../../http/idempotency.ts';
import type { CreateInternalRatingBatchRoute, CreateInternalRatingRoute } from './routes.ts';
import type { InternalRatingInput } from './schemas.ts';

const toNewRating = (input: InternalRatingInput): NewInternalRating => internalRatingRow({ id: crypto.randomUUID(), ...input });

/** Stores `inputs` in one round trip (exactly once per Idempotency-Key) and answers `body`. */
async function store<T>(c: Context<AppEnv>, inputs: InternalRatingInput[], body: T) {
  const { tenant } = tenantOf(c.get('principal'));
  // The key fingerprints Idempotency-Key requests; the ratings themselves hash nothing.
  const hashKey = await tenantHashKey(c.env.HASH_SECRET, tenant.id);
  return respondOnce(c, { status: 201, body, hashKey }, (claim) =>
    recordInternalRatings(c.get('db'), tenant.id, inputs.map(toNewRating), actingOf(c), claim),
  );
}

export const createInternalRating: RouteHandler<CreateInternalRatingRoute, AppEnv> = async (c) => {
  const input = c.req.valid('json');
  return store(c, [input], { accepted: true as const, occurredOn: input.occurredOn, unitId: input.unitId });
};

export const createInternalRatingBatch: RouteHandler<CreateInternalRatingBatchRoute, AppEnv> = async (c) => {
  const { items } = c.req.valid('json');
  return store(c, items, { count: items.length });
};
