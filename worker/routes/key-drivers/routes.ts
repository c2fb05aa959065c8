import { createRoute } from '@hono/zod-openapi';
import { tenantSecurity } from '../../http/auth.ts';
import { ConditionalHeadersSchema, ETAG_RESPONSE_HEADERS, NOT_MODIFIED_RESPONSE } from '../../http/etag.ts';
import { RESPONDENT_SAMPLE_CAP } from '../../domain/respondent-drivers.ts';
import { problemResponses, QUERY_PROBLEMS, SCOPED_PROBLEMS } from '../../http/problem.ts';
import { KeyDriversQuerySchema, KeyDriversSchema, RespondentDriversQuerySchema, RespondentDriversSchema } from './schemas.ts';

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

export const getRespondentDrivers = createRoute({
  method: 'get',
  path: '/v1/key-drivers/respondents',
  operationId: 'getRespondentKeyDrivers',
  summary: 'What staff willingness and eNPS go with, respondent by respondent',
  description:
    'Needs `reports:read`. Inside the internal side, for one whole period (as `/v1/key-drivers`) and the tenant or one unit’s ' +
    'subtree: how much of the variance of respondents’ willingness, and of their 0-10 answer to "would you recommend this ' +
    'employer" (behind eNPS), each driver accounts for: the four root causes, leadership support, knowledge and ability ' +
    '(and willingness, for eNPS). Johnson’s relative weights over the respondents’ own answers, a seeded bootstrap of ' +
    '1,000 resamples for 95% intervals, and a random variable a driver must beat to be named. Beyond ' +
    `${RESPONDENT_SAMPLE_CAP.toLocaleString('en')} respondents a uniform sample of that many is analysed (intervals then a ` +
    'little wider than the whole group would give). Anonymity: only a group whose internal figures are published is ' +
    'analysed (otherwise `withheld` says why), at least max(30, 10 per driver) respondents are needed, and only weights, ' +
    'intervals, R² and n are published: never coefficients, means or correlations that could be combined with another ' +
    'answer. Association among respondents, not cause. A unit that is not the tenant’s is a 404.',
  tags: ['Diagnostics'],
  ...tenantSecurity('reports:read'),
  request: { query: RespondentDriversQuerySchema, headers: ConditionalHeadersSchema },
  responses: {
    200: {
      description: 'The respondent-level key drivers of the period.',
      headers: ETAG_RESPONSE_HEADERS,
      content: { 'application/json': { schema: RespondentDriversSchema } },
    },
    304: NOT_MODIFIED_RESPONSE,
    ...problemResponses(SCOPED_PROBLEMS, QUERY_PROBLEMS, 'notFound', 'validation'),
  },
});

export type GetRespondentDriversRoute = typeof getRespondentDrivers;
