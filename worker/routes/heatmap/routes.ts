import { createRoute, z } from '@hono/zod-openapi';
import { heatmapChartInput, renderHeatmapChart } from '../../domain/charts/heatmap.ts';
import { tenantSecurity } from '../../http/auth.ts';
import { ConditionalHeadersSchema, ETAG_RESPONSE_HEADERS, NOT_MODIFIED_RESPONSE } from '../../http/etag.ts';
import { problemResponses, QUERY_PROBLEMS, SCOPED_PROBLEMS } from '../../http/problem.ts';
import { HeatmapQuerySchema, HeatmapSchema } from './schemas.ts';

const tags = ['Scorecard'];

const NOTE =
  'Needs `reports:read`. One whole period: a calendar month, a quarter or 12 whole months (`from`/`to`; any other window is a 422 naming ' +
  'them). Each cell is the figure the scorecard gives for that unit with `unitId` (the unit and the units below it), so internal figures ' +
  'follow the same disclosure rule: withheld ones are `value: null` with a reason, never 0. Each cell also carries its change against the ' +
  'previous period (with significance) and its distance from the median of the tenant’s cohort in the benchmark snapshot of the same ' +
  'period — give to get: only where the tenant’s own value counted in that cohort. Units come a page at a time (`limit`, `cursor`, `Link`).';

export const getHeatmap = createRoute({
  method: 'get',
  path: '/v1/heatmap',
  operationId: 'getHeatmap',
  summary: 'Units × measures for one period',
  description: `Every unit’s scorecard figures side by side, for one period. ${NOTE}`,
  tags,
  ...tenantSecurity('reports:read'),
  request: { query: HeatmapQuerySchema, headers: ConditionalHeadersSchema },
  responses: {
    200: { description: 'A page of the heatmap.', headers: ETAG_RESPONSE_HEADERS, content: { 'application/json': { schema: HeatmapSchema } } },
    304: NOT_MODIFIED_RESPONSE,
    ...problemResponses(SCOPED_PROBLEMS, QUERY_PROBLEMS, 'validation'),
  },
});

/** A real chart, drawn by the code that draws every chart, so the example cannot drift from it. */
const cell = (value: number | null, difference: number | null, change = 0) => ({
  value,
  withheld: null,
  change: change ? { difference: change, significant: true } : null,
  cohort: { difference },
});
const CHART_EXAMPLE = renderHeatmapChart(
  heatmapChartInput({
    period: { from: '2026-10-01', to: '2026-11-01' },
    cohort: { kind: 'industry', value: 'retail' },
    measures: [
      { measure: 'csat', target: 0.85 },
      { measure: 'nps', target: null },
      { measure: 'supportIndex', target: null },
      { measure: 'willingness', target: null },
    ],
    data: [
      { unit: { name: 'Store Madrid Centro' }, cells: { csat: cell(0.81, 0.06, 0.05), nps: cell(32, 12), supportIndex: cell(3.1, -0.5), willingness: cell(4.3, 0.1) } },
      { unit: { name: 'Contact centre' }, cells: { csat: cell(0.64, -0.11, -0.09), nps: cell(-4, -24), supportIndex: cell(3.6, 0), willingness: cell(4.5, 0.3) } },
      { unit: { name: 'IT helpdesk' }, cells: { csat: cell(null, null), nps: cell(null, null), supportIndex: { ...cell(null, null), withheld: 'too-few-respondents' }, willingness: { ...cell(null, null), withheld: 'too-few-respondents' } } },
    ],
  }),
);

export const getHeatmapChart = createRoute({
  method: 'get',
  path: '/v1/heatmap/chart.svg',
  operationId: 'getHeatmapChart',
  summary: 'Chart the heatmap as SVG',
  description:
    'The same page as `GET /v1/heatmap`, drawn: a row per unit, a column per measure, each cell coloured by its distance from the ' +
    'cohort median (else the target) on a diverging scale whose blue side is better whichever way the measure points; ▲/▼ mark ' +
    `significant changes; the <desc> reads every cell. ${NOTE}`,
  tags,
  ...tenantSecurity('reports:read'),
  request: { query: HeatmapQuerySchema, headers: ConditionalHeadersSchema },
  responses: {
    200: { description: 'The chart.', headers: ETAG_RESPONSE_HEADERS, content: { 'image/svg+xml': { schema: z.string(), example: CHART_EXAMPLE } } },
    304: NOT_MODIFIED_RESPONSE,
    ...problemResponses(SCOPED_PROBLEMS, QUERY_PROBLEMS, 'validation'),
  },
});

export type GetHeatmapRoute = typeof getHeatmap;
export type GetHeatmapChartRoute = typeof getHeatmapChart;
