import type { RouteHandler } from '@hono/zod-openapi';
import type { Unit } from '../../../db/schema.ts';
import { sqlState, UNIQUE_VIOLATION } from '../../db/errors.ts';
import * as store from '../../db/units.ts';
import { uuidv7 } from '../../domain/ids.ts';
import type { AppEnv } from '../../env.ts';
import { actingOf, tenantOf } from '../../http/auth.ts';
import { writeOnce } from '../../http/idempotency.ts';
import { decodeCursor, toPage } from '../../http/pagination.ts';
import { ProblemError } from '../../http/problem.ts';
import type { CreateUnitRoute, DeleteUnitRoute, GetUnitRoute, ListUnitsRoute, UpdateUnitRoute } from './routes.ts';

const FOREIGN_KEY_VIOLATION = '23503';

export function unitResource(unit: Unit) {
  return {
    id: unit.id,
    name: unit.name,
    kind: unit.kind,
    parentId: unit.parentId,
    externalRef: unit.externalRef,
    archived: unit.archivedAt !== null,
    archivedAt: unit.archivedAt?.toISOString() ?? null,
    createdAt: unit.createdAt.toISOString(),
    updatedAt: unit.updatedAt.toISOString(),
  };
}

function notFound(id: string): ProblemError {
  return new ProblemError('notFound', `There is no unit ${id}.`);
}

function invalidParent(detail: string): ProblemError {
  return new ProblemError('validation', '1 field is invalid in the body: /parentId.', {
    errors: [{ location: 'body', pointer: '/parentId', detail }],
  });
}

/**
 * The constraints a create or update can break, as the caller's mistakes: the composite foreign key
 * refuses a parent that is not the tenant's (so no pre-check costs a round trip), the unique key a
 * taken externalRef. Anything else is rethrown.
 */
function refusal(error: unknown, { parentId, externalRef }: { parentId?: string | null; externalRef?: string | null }): never {
  switch (sqlState(error)) {
    case FOREIGN_KEY_VIOLATION:
      throw invalidParent(`There is no unit ${parentId}`);
    case UNIQUE_VIOLATION:
      throw new ProblemError('conflict', `Another unit already has externalRef '${externalRef}'.`);
    default:
      throw error;
  }
}

const locationOf = ({ id }: { id: string }) => ({ Location: `/v1/units/${id}` });

export const createUnit: RouteHandler<CreateUnitRoute, AppEnv> = async (c) => {
  const body = c.req.valid('json');
  const { tenant } = tenantOf(c.get('principal'));
  const now = new Date();
  const unit: Unit = {
    id: uuidv7(),
    tenantId: tenant.id,
    name: body.name,
    kind: body.kind,
    parentId: body.parentId ?? null,
    externalRef: body.externalRef ?? null,
    archivedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  return writeOnce(c, undefined, store.insertUnit(c.get('db'), unit, actingOf(c)), 201, unitResource(unit), { headers: locationOf }).catch(
    (error: unknown) => refusal(error, body),
  );
};

export const listUnits: RouteHandler<ListUnitsRoute, AppEnv> = async (c) => {
  const { limit, cursor, ...filter } = c.req.valid('query');
  const { tenant } = tenantOf(c.get('principal'));
  const rows = await store.listUnits(c.get('db'), tenant.id, filter, { limit, after: decodeCursor(cursor) });
  return c.json(toPage(c, rows, limit, unitResource), 200);
};

export const getUnit: RouteHandler<GetUnitRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  const unit = await store.getUnit(c.get('db'), tenantOf(c.get('principal')).tenant.id, id);
  if (!unit) throw notFound(id);
  return c.json(unitResource(unit), 200);
};

export const updateUnit: RouteHandler<UpdateUnitRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  const changes = c.req.valid('json');
  const { updated, current } = await store
    .updateUnit(c.get('db'), tenantOf(c.get('principal')).tenant.id, id, changes, actingOf(c))
    .catch((error: unknown) => refusal(error, changes));
  if (updated) return c.json(unitResource(updated), 200);
  if (!current) throw notFound(id);
  throw invalidParent(`Unit ${changes.parentId} is unit ${id} or lies below it; a unit cannot be its own ancestor`);
};

export const deleteUnit: RouteHandler<DeleteUnitRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  const { tenant } = tenantOf(c.get('principal'));
  const removal = await store.deleteOrArchiveUnit(c.get('db'), tenant.id, id, actingOf(c)).catch((error: unknown) => {
    // A rating or child unit that arrived between the checks and the delete.
    if (sqlState(error) !== FOREIGN_KEY_VIOLATION) throw error;
    throw new ProblemError('conflict', `Unit ${id} gained ratings or units meanwhile; try again.`);
  });
  if (!removal) throw notFound(id);
  switch (removal.outcome) {
    case 'deleted':
      return c.body(null, 204);
    case 'archived':
      return c.json(unitResource(removal.unit), 200);
    case 'has-children': {
      const units = removal.children === 1 ? '1 unit hangs' : `${removal.children} units hang`;
      throw new ProblemError('conflict', `Unit ${id} has no ratings but ${units} from it: move or delete them first.`);
    }
  }
};
