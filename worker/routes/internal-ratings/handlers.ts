import type { RouteHandler } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { auditEvent } from '../../db/audit.ts';
import { insertInternalRatings, internalRatingRow, type NewInternalRating } from '../../db/internal-ratings.ts';
import { tenantHashKey } from '../../domain/pseudonyms.ts';
import type { AppEnv } from '../../env.ts';
import { actingOf, tenantOf } from '../../http/auth.ts';
import { writeOnce } from '../../http/idempotency.ts';
import { unitProblem } from '../../http/unit-problems.ts';
import type { CreateInternalRatingBatchRoute, CreateInternalRatingRoute } from './routes.ts';
import type { InternalRatingInput } from './schemas.ts';

const toNewRating = (input: InternalRatingInput): NewInternalRating => internalRatingRow({ id: crypto.randomUUID(), ...input });

/**
 * Stores `inputs` in one round trip (exactly once per Idempotency-Key) and answers `body`; refused
 * units are named by `pointerOf(index)`.
 */
async function store<T>(c: Context<AppEnv>, inputs: InternalRatingInput[], body: T, pointerOf: (index: number) => string) {
  const { tenant } = tenantOf(c.get('principal'));
  // The key fingerprints Idempotency-Key requests; the ratings themselves hash nothing.
  const hashKey = await tenantHashKey(c.env.HASH_SECRET, tenant.id);
  const { actor, requestId } = actingOf(c);
  const writes = [
    ...insertInternalRatings(c.get('db'), tenant.id, inputs.map(toNewRating)),
    // Counts only: who wrote how many, so that padding by a second credential shows; no contents.
    auditEvent(c.get('db'), {
      ...actor,
      tenantId: tenant.id,
      action: 'internal_ratings.recorded',
      requestId,
      details: { ratings: inputs.length, units: new Set(inputs.map((input) => input.unitId)).size },
    }),
  ];
  try {
    return await writeOnce(c, hashKey, writes, 201, body);
  } catch (error) {
    throw unitProblem(error, inputs.map((input) => input.unitId), pointerOf) ?? error;
  }
}

export const createInternalRating: RouteHandler<CreateInternalRatingRoute, AppEnv> = async (c) => {
  const input = c.req.valid('json');
  return store(c, [input], { accepted: true as const, occurredOn: input.occurredOn, unitId: input.unitId }, () => '/unitId');
};

export const createInternalRatingBatch: RouteHandler<CreateInternalRatingBatchRoute, AppEnv> = async (c) => {
  const { items } = c.req.valid('json');
  return store(c, items, { count: items.length }, (index) => `/items/${index}/unitId`);
};
