import { createRoute } from '@hono/zod-openapi';
import { tenantSecurity } from '../../http/auth.ts';
import { BY_ID_PROBLEMS, JSON_BODY_PROBLEMS, problemResponses, SCOPED_PROBLEMS } from '../../http/problem.ts';
import { PutTargetsSchema, TargetListSchema } from './schemas.ts';

const tags = ['Targets'];

export const putTargets = createRoute({
  method: 'put',
  path: '/v1/targets',
  operationId: 'putTargets',
  summary: 'Set targets for measures',
  description:
    'Sets the target of each measure given, tenant-wide or for a unit (null removes it), and leaves the others. A target ' +
    'may carry a baseline (the value of a whole ended month or quarter, taken now and kept) and a deadline: the scorecard ' +
    'then shows, per target, the road travelled from the baseline, the road left, and whether the pace since reaches the ' +
    "target by the deadline. Another tenant's unit is a 404; a baseline period that has not ended or has no published " +
    'value is a 422 saying why. One round trip, two when a baseline is given (its value is read first). Needs `admin`.',
  tags,
  ...tenantSecurity('admin'),
  request: { body: { required: true, content: { 'application/json': { schema: PutTargetsSchema } } } },
  responses: {
    200: { description: 'All the tenant’s targets.', content: { 'application/json': { schema: TargetListSchema } } },
    ...problemResponses(SCOPED_PROBLEMS, JSON_BODY_PROBLEMS, BY_ID_PROBLEMS),
  },
});

export const listTargets = createRoute({
  method: 'get',
  path: '/v1/targets',
  operationId: 'listTargets',
  summary: 'List targets',
  description: 'The tenant’s targets: tenant-wide ones first, then those of units, each in measure order. Needs `reports:read`.',
  tags,
  ...tenantSecurity('reports:read'),
  responses: {
    200: { description: 'All the tenant’s targets.', content: { 'application/json': { schema: TargetListSchema } } },
    ...problemResponses(SCOPED_PROBLEMS),
  },
});

export type PutTargetsRoute = typeof putTargets;
export type ListTargetsRoute = typeof listTargets;
