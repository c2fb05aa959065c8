import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { findFreePort } from '../../scripts/lib/ports.ts';
import { type RunningWorker, startWorker } from '../../scripts/lib/worker.ts';
import { problemOf } from './helpers.ts';

/**
 * The real worker with its database out of reach, two ways: Postgres refuses connections behind a
 * working endpoint (the driver gets SQLSTATE 08001), and the endpoint itself is gone (fetch fails).
 */
const scenarios = {
  'Postgres refusing connections': async () => ({
    DATABASE_URL: `postgresql://postgres:postgres@127.0.0.1:${await findFreePort()}/service_culture`,
    LOCAL_NEON_ENDPOINT: inject('endpointUrl'),
  }),
  'the Neon endpoint unreachable': async () => ({
    DATABASE_URL: inject('databaseUrl'),
    LOCAL_NEON_ENDPOINT: `http://127.0.0.1:${await findFreePort()}`,
  }),
};

describe.each(Object.entries(scenarios))('with %s', (_, bindings) => {
  let worker: RunningWorker;
  beforeAll(async () => {
    worker = await startWorker(
      { ...(await bindings()), OPERATOR_TOKEN: inject('operatorToken') },
      { script: inject('workerScript'), logLevel: 'error' },
    );
  });
  afterAll(() => worker.dispose());

  test('/health stays 200', async () => {
    expect((await fetch(`${worker.url}/health`)).status).toBe(200);
  });

  test('/ready is 503 problem+json with Retry-After', async () => {
    const response = await fetch(`${worker.url}/ready`);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect((await problemOf(response)).type).toBe('https://service-culture.dev/problems/service-unavailable');
  });

  test('an authenticated request is 503, not 401 or 500', async () => {
    const response = await fetch(`${worker.url}/v1/tenant`, { headers: { Authorization: `Bearer sck_${'B'.repeat(32)}` } });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    await problemOf(response);
  });
});
