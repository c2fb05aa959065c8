import type { RouteHandler } from '@hono/zod-openapi';
import type { Unit } from '../../../db/schema.ts';
import * as store from '../../db/units.ts';
import { uuidv7 } from '../../domain/ids.ts';
import type { AppEnv } from '../../env.ts';
import { actingOf, tenantOf } from '../../http/auth.ts';
import { respondOnce } from '../../http/idempotency.ts';
import { getHandler, listHandler } from '../resource.ts';
import type { CreateUnitRoute, DeleteUnitRoute, GetUnitRoute, ListUnitsRoute, UpdateUnitRoute } from './routes.ts';

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
  return respondOnce(c, { status: 201, body: unitResource(unit), headers: locationOf }, (claim) =>
    store.createUnit(c.get('db'), unit, actingOf(c), claim),
  );
};

export const listUnits: RouteHandler<ListUnitsRoute, AppEnv> = listHandler(store.listUnits, unitResource);

export const getUnit: RouteHandler<GetUnitRoute, AppEnv> = getHandler('unit', store.getUnit, unitResource);

export const updateUnit: RouteHandler<UpdateUnitRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  const changes = c.req.valid('json');
  const updated = await store.updateUnit(c.get('db'), tenantOf(c.get('principal')).tenant.id, id, changes, actingOf(c));
  return c.json(unitResource(updated), 200);
};

export const deleteUnit: RouteHandler<DeleteUnitRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  const { tenant } = tenantOf(c.get('principal'));
  const removal = await store.deleteOrArchiveUnit(c.get('db'), tenant.id, id, actingOf(c));
  return removal.outcome === 'deleted' ? c.body(null, 204) : c.json(unitResource(removal.unit), 200);
};
