import { createRoute } from '@hono/zod-openapi';
import { tenantSecurity } from '../../http/auth.ts';
import { ConditionalHeadersSchema, ETAG_RESPONSE_HEADERS, NOT_MODIFIED_RESPONSE } from '../../http/etag.ts';
import { problemResponses, QUERY_PROBLEMS, SCOPED_PROBLEMS } from '../../http/problem.ts';
import { KeyDriversQuerySchema, KeyDriversSchema } from './schemas.ts';

export const getKeyDrivers = createRoute({
  method: 'get',
  path: '/v1/key-drivers',
  operationId: 'getKeyDrivers',
  summary: 'What accounts for units’ customer satisfaction, across the counter',
  description:
    'Needs `reports:read`. For one whole period (a calendar month, a quarter or 12 whole months; any other window is a 422 ' +
    'naming `from`/`to`), across the tenant’s units with enough answers on both sides: how much of the units’ CSAT and ' +
    'overall rating each internal driver accounts for (the four root causes, leadership support, knowledge, ability and ' +
    'willingness, as unit means). Johnson’s relative weights split R² among correlated drivers; units are resampled ' +
    '1,000 times (seeded) for 95% intervals. A driver is named only when its weight stands out from that of a random ' +
    'variable; below the minimum number of units the verdict is "too few units to say". Only units whose internal ' +
    'figures are published for the period take part, so the answer rests on published figures alone. Association ' +
    'across units, not cause.',
  tags: ['Diagnostics'],
  ...tenantSecurity('reports:read'),
  request: { query: KeyDriversQuerySchema, headers: ConditionalHeadersSchema },
  responses: {
    200: { description: 'The key drivers of the period.', headers: ETAG_RESPONSE_HEADERS, content: { 'application/json': { schema: KeyDriversSchema } } },
    304: NOT_MODIFIED_RESPONSE,
    ...problemResponses(SCOPED_PROBLEMS, QUERY_PROBLEMS, 'validation'),
  },
});

export type GetKeyDriversRoute = typeof getKeyDrivers;
