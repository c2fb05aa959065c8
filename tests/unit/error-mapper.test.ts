import { validator } from 'hono/validator';
import { describe, expect, test } from 'vitest';
import {
  CredentialNotLive,
  DatabaseRequestTooLarge,
  ExternalRefTaken,
  IdempotencyKeyInUse,
  IdempotencyKeyReused,
  NotFound,
  ParentUnitNotFound,
  TenantExists,
  type TypedError,
  typedErrorOf,
  UnitArchived,
  UnitChangedMeanwhile,
  UnitCycle,
  UnitHasChildren,
  UnitLimitReached,
  UnitNotFound,
} from '../../worker/db/errors.ts';
import { handleError } from '../../worker/http/errors.ts';
import { PROBLEM_TYPE_BASE } from '../../worker/http/problem.ts';
import { createRouter } from '../../worker/http/router.ts';

/** An app whose POST /write validates its JSON body and then throws `error`, as a db/ function would. */
function appThatThrows(error: unknown) {
  const app = createRouter();
  app.post(
    '/write',
    validator('json', (body) => body),
    () => {
      throw error;
    },
  );
  app.onError(handleError);
  return app;
}

async function problemOf(error: unknown, body: unknown = {}) {
  const response = await appThatThrows(error).request('/write', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  return { response, problem: (await response.json()) as { type: string; status: number; detail: string; errors?: unknown[] } };
}

const unit = (n: number) => `00000000-0000-7000-8000-00000000000${n}`;

// Keyed by kind, so that a new typed error fails to compile here until its problem is tested.
const CASES: Record<TypedError['kind'], [TypedError, number, string, string]> = {
  notFound: [new NotFound('API key', unit(1)), 404, 'not-found', `There is no API key ${unit(1)}.`],
  databaseRequestTooLarge: [new DatabaseRequestTooLarge(1000, 11_000_000, 10_000_000), 413, 'payload-too-large', 'this batch of 1000 ratings'],
  unitNotFound: [new UnitNotFound([unit(1)]), 404, 'not-found', `No unit ${unit(1)} belongs to this tenant.`],
  unitArchived: [new UnitArchived([unit(1)]), 409, 'conflict', `Unit ${unit(1)} is archived and takes no new ratings.`],
  parentUnitNotFound: [new ParentUnitNotFound(unit(2)), 422, 'validation-error', '/parentId'],
  unitCycle: [new UnitCycle(unit(1), unit(2)), 422, 'validation-error', '/parentId'],
  externalRefTaken: [new ExternalRefTaken('crm:1'), 409, 'conflict', "Another unit already has externalRef 'crm:1'."],
  unitHasChildren: [new UnitHasChildren(unit(1), 2), 409, 'conflict', '2 units hang from it'],
  unitLimitReached: [new UnitLimitReached(20_000), 409, 'conflict', 'A tenant has at most 20,000 units'],
  unitChangedMeanwhile: [new UnitChangedMeanwhile(unit(1)), 409, 'conflict', 'gained ratings or units meanwhile'],
  credentialNotLive: [new CredentialNotLive('revoked'), 409, 'conflict', 'The API key is revoked and cannot be rotated'],
  tenantExists: [new TenantExists(unit(3)), 409, 'conflict', `already created with this Idempotency-Key (${unit(3)})`],
  idempotencyKeyInUse: [new IdempotencyKeyInUse(true), 409, 'idempotency-key-in-use', 'still running'],
  idempotencyKeyReused: [new IdempotencyKeyReused(), 422, 'idempotency-key-reused', 'use a new key'],
};

describe('the error mapper', () => {
  test.each(Object.entries(CASES))('%s', async (_, [error, status, slug, words]) => {
    const { response, problem } = await problemOf(error);
    expect(response.status).toBe(status);
    expect(problem).toMatchObject({ status, type: `${PROBLEM_TYPE_BASE}${slug}` });
    expect(JSON.stringify(problem)).toContain(words);
  });

  test('a key in flight says when to retry', async () => {
    const { response } = await problemOf(new IdempotencyKeyInUse(true));
    expect(response.headers.get('retry-after')).toBe('1');
  });

  test('refused units are named where the body names them: one rating, or the items of a batch', async () => {
    const single = await problemOf(new UnitNotFound([unit(1)]), { unitId: unit(1), overall: 4 });
    expect(single.problem.errors).toEqual([{ location: 'body', pointer: '/unitId', detail: `No such unit: ${unit(1)}` }]);
    const batch = await problemOf(new UnitArchived([unit(2), unit(3)]), {
      items: [{ unitId: unit(1) }, { unitId: unit(3) }, { unitId: unit(2) }, { unitId: unit(3) }],
    });
    expect(batch.problem.errors).toEqual([
      { location: 'body', pointer: '/items/1/unitId', detail: `The unit is archived: ${unit(3)}` },
      { location: 'body', pointer: '/items/2/unitId', detail: `The unit is archived: ${unit(2)}` },
      { location: 'body', pointer: '/items/3/unitId', detail: `The unit is archived: ${unit(3)}` },
    ]);
  });

  test('a unit refused outside a validated body is still a 404, without field errors', async () => {
    const app = createRouter();
    app.get('/read', () => {
      throw new UnitNotFound([unit(1)]);
    });
    app.onError(handleError);
    const response = await app.request('/read');
    expect(response.status).toBe(404);
    expect(await response.json()).not.toHaveProperty('errors');
  });
});

describe('typedErrorOf', () => {
  // As the Neon driver's batch throws it: the code bare, DETAIL beside it; drizzle wraps a query's in `cause`.
  const neonError = (code: string, detail?: string) => Object.assign(new Error('db'), { code, detail });

  test("reads the write functions' own SQLSTATEs", () => {
    expect(typedErrorOf(neonError('UN404', JSON.stringify([unit(1)])))).toEqual(new UnitNotFound([unit(1)]));
    expect(typedErrorOf(new Error('Failed query', { cause: neonError('UN409', JSON.stringify([unit(2)])) }))).toEqual(new UnitArchived([unit(2)]));
    expect(typedErrorOf(neonError('IK409'))).toBeInstanceOf(IdempotencyKeyInUse);
  });

  test("a write's refusals come first; anything else is left as it is", () => {
    expect(typedErrorOf(neonError('23505'), { '23505': () => new ExternalRefTaken('x') })).toEqual(new ExternalRefTaken('x'));
    const other = neonError('42P01');
    expect(typedErrorOf(other, { '23505': () => new ExternalRefTaken('x') })).toBe(other);
    const plain = new Error('boom');
    expect(typedErrorOf(plain)).toBe(plain);
  });
});
