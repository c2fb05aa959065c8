import { createRoute } from '@hono/zod-openapi';
import { ConditionalHeadersSchema, ETAG_RESPONSE_HEADERS, NOT_MODIFIED_RESPONSE } from '../../http/etag.ts';
import { tenantSecurity } from '../../http/auth.ts';
import { BY_ID_PROBLEMS, problemResponses, QUERY_PROBLEMS, SCOPED_PROBLEMS } from '../../http/problem.ts';
import { ScorecardQuerySchema, ScorecardSchema } from './schemas.ts';

export const getScorecard = createRoute({
  method: 'get',
  path: '/v1/scorecard',
  operationId: 'getScorecard',
  summary: 'Measures per period, with uncertainty, gap to target and trend',
  description:
    'Per period: the four indicator means, overall, CSAT, NPS (clients); support index and its weakest root cause, ' +
    'knowledge, ability, willingness and eNPS (employees). Means carry n and a standard error, shares a Wilson 95% ' +
    'interval, net scores the interval of a difference of two shares. An empty period has null values with n 0. ' +
    'Periods are always whole (`from` moves back and `to` forward to period boundaries; each period states its own). ' +
    'Disclosure rule for internal figures: they are published only for ended months, quarters and 12-month windows ' +
    '(never per week), and only where no combination of the figures this API publishes (any unit subtree under any ' +
    'tree the tenant has had, any period, any split, scorecard and diagnostics alike) could single out 1-4 ' +
    'respondents; otherwise each reads `{"suppressed": true, "reason": …}`, never 0. An unknown unit (or another ' +
    'tenant’s) is a 404. Needs `reports:read`.',
  tags: ['Scorecard'],
  ...tenantSecurity('reports:read'),
  request: { query: ScorecardQuerySchema, headers: ConditionalHeadersSchema },
  responses: {
    200: { description: 'The scorecard.', headers: ETAG_RESPONSE_HEADERS, content: { 'application/json': { schema: ScorecardSchema } } },
    304: NOT_MODIFIED_RESPONSE,
    ...problemResponses(SCOPED_PROBLEMS, QUERY_PROBLEMS, BY_ID_PROBLEMS),
  },
});

export type GetScorecardRoute = typeof getScorecard;
