import { createRoute } from '@hono/zod-openapi';
import { ConditionalHeadersSchema, ETAG_RESPONSE_HEADERS, NOT_MODIFIED_RESPONSE } from '../../http/etag.ts';
import { tenantSecurity } from '../../http/auth.ts';
import { problemResponses, QUERY_PROBLEMS, SCOPED_PROBLEMS } from '../../http/problem.ts';
import { DiagnosticsQuerySchema, DiagnosticsSchema } from './schemas.ts';

export const getDiagnostics = createRoute({
  method: 'get',
  path: '/v1/diagnostics',
  operationId: 'getDiagnostics',
  summary: 'Why service culture stands where it does',
  description:
    'Needs `reports:read`. The attitude paradox, attitude decay, blame by component and customer kind, the ' +
    'service-profit link, and findings in plain language, each naming the figures that support it, for one whole ' +
    'period: a calendar month, a quarter or 12 whole months (any other window is a 422 naming `from`/`to`). Internal ' +
    'figures are published only for ended periods and only where no combination of published figures (any unit, ' +
    'period, split, endpoint or earlier unit tree) isolates fewer than 5 respondents; others are ' +
    '`{"suppressed": true, "reason": …}`, and no finding rests on them. A unit that is not the tenant’s is a 404.',
  tags: ['Diagnostics'],
  ...tenantSecurity('reports:read'),
  request: { query: DiagnosticsQuerySchema, headers: ConditionalHeadersSchema },
  responses: {
    200: { description: 'The diagnostics of the period.', headers: ETAG_RESPONSE_HEADERS, content: { 'application/json': { schema: DiagnosticsSchema } } },
    304: NOT_MODIFIED_RESPONSE,
    ...problemResponses(SCOPED_PROBLEMS, QUERY_PROBLEMS, 'notFound', 'validation'),
  },
});

export type GetDiagnosticsRoute = typeof getDiagnostics;
