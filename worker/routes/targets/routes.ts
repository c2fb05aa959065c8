import { createRoute } from '@hono/zod-openapi';
import { tenantSecurity } from '../../http/auth.ts';
import { JSON_BODY_PROBLEMS, problemResponses, SCOPED_PROBLEMS } from '../../http/problem.ts';
import { PutTargetsSchema, TargetListSchema } from './schemas.ts';

const tags = ['Targets'];

export const putTargets = createRoute({
  method: 'put',
  path: '/v1/targets',
  operationId: 'putTargets',
  summary: 'Set targets for measures',
  description:
    "Sets the target of each measure given (null removes it) and leaves the others. The scorecard shows each value's " +
    'gap to its target. Needs `admin`.',
  tags,
  ...tenantSecurity('admin'),
  request: { body: { required: true, content: { 'application/json': { schema: PutTargetsSchema } } } },
  responses: {
    200: { description: 'All the tenant’s targets.', content: { 'application/json': { schema: TargetListSchema } } },
    ...problemResponses(SCOPED_PROBLEMS, JSON_BODY_PROBLEMS),
  },
});

export const listTargets = createRoute({
  method: 'get',
  path: '/v1/targets',
  operationId: 'listTargets',
  summary: 'List targets',
  description: 'The tenant’s targets, one per measure that has one. Needs `reports:read`.',
  tags,
  ...tenantSecurity('reports:read'),
  responses: {
    200: { description: 'All the tenant’s targets.', content: { 'application/json': { schema: TargetListSchema } } },
    ...problemResponses(SCOPED_PROBLEMS),
  },
});

export type PutTargetsRoute = typeof putTargets;
export type ListTargetsRoute = typeof listTargets;
