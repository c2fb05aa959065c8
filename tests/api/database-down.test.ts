import http from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { exchange } from '../../bench/common.ts';
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

  test('a client keeps its keep-alive connections through 503s to POSTs it retries', async () => {
    // workerd drops a connection whose request body went unread; the retry on it was reset.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
    const url = new URL(`${worker.url}/v1/external-ratings`);
    const body = JSON.stringify({ unitId: '01a20a53-aa18-72b9-adad-d0e0f0a0b0c0', overall: 4, padding: 'x'.repeat(2_000) });
    const outcomes: (number | string)[] = [];
    const client = async () => {
      for (let i = 0; i < 8; i++) {
        const answer = exchange(agent, url, {
          method: 'POST',
          headers: { Authorization: `Bearer sck_${'B'.repeat(32)}`, 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
          body,
          timeoutMs: 5_000,
        });
        outcomes.push(await answer.then((a) => a.status, (error: Error) => error.message));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    try {
      await Promise.all(Array.from({ length: 10 }, client));
    } finally {
      agent.destroy();
    }
    expect(outcomes.filter((outcome) => outcome !== 503)).toEqual([]);
  });

  test('an authenticated request is 503, not 401 or 500', async () => {
    const response = await fetch(`${worker.url}/v1/tenant`, { headers: { Authorization: `Bearer sck_${'B'.repeat(32)}` } });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    await problemOf(response);
  });
});
