import { createRoute, z } from '@hono/zod-openapi';
import { UNIT_KINDS } from '../../../db/schema.ts';
import { MAX_UNITS_PER_TENANT } from '../../db/units.ts';
import { tenantSecurity } from '../../http/auth.ts';
import { PageQuerySchema } from '../../http/pagination.ts';
import { BY_ID_PROBLEMS, JSON_BODY_PROBLEMS, problemResponses, SCOPED_PROBLEMS } from '../../http/problem.ts';
import { resourceRoutes } from '../resource.ts';
import { text, timestamp, uuid } from '../../http/schemas.ts';

const tags = ['Units'];

const name = text().trim().min(1).max(200).openapi({ example: 'Madrid branch' });
const kind = z.enum(UNIT_KINDS).openapi({
  description: '`touchpoint`: customers meet it; `internal-supplier`: it serves other units (internal customers).',
  example: 'touchpoint',
});
const parentId = uuid().openapi({ description: 'The unit this one belongs to, of the same tenant.' });
const externalRef = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._:/-]*$/, { message: 'Only letters, digits and . _ : / - are allowed' })
  .openapi({
    description: "The partner's own id for the unit, unique in the tenant: 1-100 of A-Z a-z 0-9 . _ : / -.",
    example: 'crm:branch/0042',
  });

export const UnitSchema = z
  .object({
    id: uuid(),
    name,
    kind,
    parentId: parentId.nullable(),
    externalRef: externalRef.nullable(),
    archived: z.boolean().openapi({ description: 'An archived unit keeps its ratings but takes no new ones.' }),
    archivedAt: timestamp.nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .openapi('Unit', {
    description: 'A department, branch or team of the tenant.',
    example: {
      id: '01a20a57-c1bc-76da-b850-9b49d68f0537',
      name: 'Madrid branch',
      kind: 'touchpoint',
      parentId: null,
      externalRef: 'crm:branch/0042',
      archived: false,
      archivedAt: null,
      createdAt: '2026-11-02T09:20:00.000Z',
      updatedAt: '2026-11-02T09:20:00.000Z',
    },
  });

const CreateUnitSchema = z
  .strictObject({ name, kind, parentId: parentId.optional(), externalRef: externalRef.optional() })
  .openapi('CreateUnit');

const UpdateUnitSchema = z
  .strictObject({
    name: name.optional(),
    kind: kind.optional(),
    parentId: parentId
      .nullable()
      .optional()
      .openapi({ description: 'The new parent; null detaches the unit. Not the unit itself nor one below it.' }),
    externalRef: externalRef.nullable().optional().openapi({ description: 'The new external reference; null clears it.' }),
    archived: z.boolean().optional().openapi({
      description:
        'true archives the unit: it keeps its ratings but takes no new ones (archiving an archived unit keeps its ' +
        'archivedAt); false restores it.',
    }),
  })
  .refine((changes) => Object.keys(changes).length > 0, { message: 'Send at least one field to change' })
  .openapi('UpdateUnit');

const ListUnitsQuerySchema = PageQuerySchema.extend({
  kind: z.enum(UNIT_KINDS).optional().openapi({ description: 'Only units of this kind.' }),
  parentId: uuid().optional().openapi({ description: 'Only the direct children of this unit.' }),
  externalRef: externalRef.optional().openapi({ description: 'Only the unit with exactly this external reference.' }),
  archived: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true')
    .openapi({ description: '`false` (the default): only active units; `true`: only archived ones.' }),
});

const READ_SCOPE_NOTE =
  'Needs the `ratings:read` scope: partners that send ratings read units to map their own ids (`externalRef`) to unit ids.';

export const { params: UnitParamsSchema, create: createUnit, list: listUnits, get: getUnit, remove: deleteUnit } = resourceRoutes({
  path: '/v1/units',
  tags,
  scope: 'admin',
  readScope: 'ratings:read',
  id: 'The unit id.',
  item: UnitSchema,
  page: 'UnitPage',
  create: {
    operationId: 'createUnit',
    summary: 'Create a unit',
    description:
      'A parent must be a unit of the same tenant (else 422 at `/parentId`); an `externalRef` already used by ' +
      `another unit of the tenant is a 409, and so is a unit past the limit of ${MAX_UNITS_PER_TENANT.toLocaleString('en')} per tenant (archived ones count). ` +
      'Needs the `admin` scope.',
    body: CreateUnitSchema,
    created: { description: 'The unit.', location: 'The new unit.', schema: UnitSchema },
    problems: ['conflict'],
  },
  list: {
    operationId: 'listUnits',
    summary: 'List units',
    description: `The tenant's units, newest first; by default only active (not archived) ones. ${READ_SCOPE_NOTE}`,
    response: 'A page of units.',
    query: ListUnitsQuerySchema,
  },
  get: { operationId: 'getUnit', summary: 'Get a unit', description: `Archived units too. ${READ_SCOPE_NOTE}`, response: 'The unit.' },
  remove: {
    operationId: 'deleteUnit',
    summary: 'Delete or archive a unit',
    description:
      'A unit with ratings is archived, not deleted: the response is the archived unit (200). A unit without ' +
      'ratings is deleted (204), unless units still hang from it (409: move or delete them first). Needs the ' +
      '`admin` scope.',
    responses: {
      200: {
        description: 'The unit had ratings: it is archived instead.',
        content: { 'application/json': { schema: UnitSchema } },
      },
      204: { description: 'The unit is deleted.' },
    },
    problems: ['conflict'],
  },
});

export const updateUnit = createRoute({
  method: 'patch',
  path: '/v1/units/{id}',
  operationId: 'updateUnit',
  summary: 'Update a unit',
  description:
    'Changes only the fields sent. A unit cannot be moved under itself or under one of its descendants (422 at ' +
    '`/parentId`), nor take an `externalRef` another unit has (409). Needs the `admin` scope.',
  tags,
  ...tenantSecurity('admin'),
  request: {
    params: UnitParamsSchema,
    body: { required: true, content: { 'application/json': { schema: UpdateUnitSchema } } },
  },
  responses: {
    200: { description: 'The updated unit.', content: { 'application/json': { schema: UnitSchema } } },
    ...problemResponses(SCOPED_PROBLEMS, BY_ID_PROBLEMS, JSON_BODY_PROBLEMS, 'conflict'),
  },
});

export type CreateUnitRoute = typeof createUnit;
export type ListUnitsRoute = typeof listUnits;
export type GetUnitRoute = typeof getUnit;
export type UpdateUnitRoute = typeof updateUnit;
export type DeleteUnitRoute = typeof deleteUnit;
