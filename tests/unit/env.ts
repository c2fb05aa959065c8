import type { Env } from '../../worker/env.ts';

/** Bindings for running the app in Node: enough to route, nothing that reaches a database. */
export const nodeEnv: Env = {
  DATABASE_URL: 'postgresql://u:p@127.0.0.1:1/db',
  OPERATOR_TOKEN: 'operator',
  JWT_SIGNING_KEYS: '[]',
  HASH_SECRET: 'test-hash-secret',
  JWT_ISSUER: 'https://issuer.test',
  JWT_AUDIENCE: 'audience',
  ASSETS: { fetch: () => Promise.reject(new Error('no assets in Node')) },
  WEBHOOK_QUEUE: { sendBatch: () => Promise.reject(new Error('no Queue in unit tests')) },
  BENCHMARK_WORKFLOW: {
    create: () => Promise.reject(new Error('no Workflows in Node')),
    get: () => Promise.reject(new Error('no Workflows in Node')),
  },
};
