import type { RouteHandler } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { NewInternalRating } from '../../db/internal-ratings.ts';
import { recordInternalRatings } from '../../db/ratings.ts';
import { tenantHashKey } from '../../domain/pseudonyms.ts';
import type { AppEnv } from '../../env.ts';
import { actingOf, tenantOf } from '../../http/auth.ts';
import { respondOnce } from '../../http/idempotency.ts';
import type { CreateInternalRatingBatchRoute, CreateInternalRatingRoute } from './routes.ts';
import type { InternalRatingInput } from './schemas.ts';

function toNewRating(input: InternalRatingInput): NewInternalRating {
  return {
    id: crypto.randomUUID(),
    unit_id: input.unitId,
    occurred_on: input.occurredOn,
    commitments: input.commitments,
    internal_culture: input.internalCulture,
    empowerment: input.empowerment,
    recognition: input.recognition,
    leadership_support: input.leadershipSupport,
    knowledge: input.knowledge,
    ability: input.ability,
    willingness: input.willingness,
    tenure_band: input.tenureBand,
    role: input.role,
    recommend_employer: input.recommendEmployer ?? null,
  };
}

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
