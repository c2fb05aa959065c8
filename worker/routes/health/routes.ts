import { createRoute, z } from '@hono/zod-openapi';
import { problemResponses, SERVER_PROBLEMS } from '../../http/problem.ts';

const tags = ['Health'];

export const health = createRoute({
  method: 'get',
  path: '/health',
  operationId: 'getHealth',
  summary: 'Liveness: the worker answers',
  description: 'Touches nothing else, so it stays 200 while the database is down.',
  tags,
  security: [],
  responses: {
    200: {
      description: 'The worker is running.',
      content: { 'application/json': { schema: z.object({ status: z.literal('ok') }).openapi('Health') } },
    },
    ...problemResponses('internal'),
  },
});

export const ready = createRoute({
  method: 'get',
  path: '/ready',
  operationId: 'getReadiness',
  summary: 'Readiness: the database answers',
  description: 'One database round trip; 503 with `Retry-After` while the database cannot be reached.',
  tags,
  security: [],
  responses: {
    200: {
      description: 'The worker and its database are ready.',
      content: { 'application/json': { schema: z.object({ status: z.literal('ready') }).openapi('Readiness') } },
    },
    ...problemResponses(SERVER_PROBLEMS),
  },
});

export type HealthRoute = typeof health;
export type ReadyRoute = typeof ready;
