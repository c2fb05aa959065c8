/**
 * Neon's SQL-over-HTTP limits, as the local endpoint enforces them (issue 16): a request body over
 * 10 MiB is refused with 413 before any SQL runs, and rows over 10 MiB fail with 507, in Neon's
 * words, through the unmodified driver; both are counted in /_stats. The sources are in
 * scripts/lib/neon-endpoint.ts beside NEON_MAX_REQUEST_BYTES.
 */
import { NeonDbError, neon, neonConfig, type NeonQueryFunction } from '@neondatabase/serverless';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { type LocalNeonEndpoint, NEON_MAX_REQUEST_BYTES, NEON_MAX_RESPONSE_BYTES, startLocalNeonEndpoint } from '../../scripts/lib/neon-endpoint.ts';
import { useLocalNeonEndpoint } from '../../worker/db/local-neon.ts';
import { handleError } from '../../worker/http/errors.ts';
import { createRouter } from '../../worker/http/router.ts';

const DATABASE = 'endpoint_limits_test';
const MiB = 1024 * 1024;

let endpoint: LocalNeonEndpoint;
let admin: pg.Client;
let direct: pg.Client;
let sql: NeonQueryFunction<false, false>;

beforeAll(async () => {
  admin = new pg.Client({ connectionString: inject('postgresAdminUrl') });
  await admin.connect();
  await admin.query(`drop database if exists ${DATABASE} with (force)`);
  await admin.query(`create database ${DATABASE}`);
  const url = new URL(inject('postgresAdminUrl'));
  url.pathname = `/${DATABASE}`;
  direct = new pg.Client({ connectionString: url.href });
  await direct.connect();
  await direct.query('create table notes (id serial primary key, body text not null)');
  endpoint = await startLocalNeonEndpoint();
  useLocalNeonEndpoint(neonConfig, endpoint.url);
  sql = neon(url.href);
});

afterAll(async () => {
  await endpoint?.close();
  await direct?.end();
  await admin?.query(`drop database if exists ${DATABASE} with (force)`);
  await admin?.end();
});

beforeEach(async () => {
  await direct.query('truncate notes restart identity');
  endpoint.resetStats();
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe("Neon's request limit (10 MiB)", () => {
  it('are Neon’s defaults', () => {
    expect(NEON_MAX_REQUEST_BYTES).toBe(10 * MiB);
    expect(NEON_MAX_RESPONSE_BYTES).toBe(10 * MiB);
  });

  it('refuses a body over 10 MiB with 413 in Neon’s words, before any SQL runs', async () => {
    // 2.7 MiB of quotes: JSON-escaped twice (in the parameter, then in the driver's body), 4 bytes each.
    const quotes = '"'.repeat(Math.ceil(2.7 * MiB));
    const error = await rejection(sql.transaction([sql`insert into notes (body) values (${JSON.stringify({ quotes })})`]));
    expect(error).toBeInstanceOf(NeonDbError);
    expect(error.message).toBe(`Server error (HTTP status 413): {"message":"request is too large (max is ${NEON_MAX_REQUEST_BYTES} bytes)","code":""}`);
    expect((await direct.query('select count(*)::int as n from notes')).rows[0].n).toBe(0);
    expect(endpoint.stats()).toMatchObject({ tooLargeRequests: 1, queries: 0 });
  });

  it('accepts a body just under the limit', async () => {
    const body = 'x'.repeat(NEON_MAX_REQUEST_BYTES - 200);
    await sql`insert into notes (body) values (${body})`;
    expect(endpoint.stats().largestRequestBytes).toBeLessThanOrEqual(NEON_MAX_REQUEST_BYTES);
    expect(endpoint.stats().largestRequestBytes).toBeGreaterThan(NEON_MAX_REQUEST_BYTES - 400);
    expect(endpoint.stats().tooLargeRequests).toBe(0);
  });
});

describe("Neon's response limit (10 MiB of rows)", () => {
  it('fails rows over 10 MiB with 507 in Neon’s words', async () => {
    const error = await rejection(sql`select repeat('x', ${String(NEON_MAX_RESPONSE_BYTES + 1)}::int) as big`);
    expect(error.message).toBe(`Server error (HTTP status 507): {"message":"response is too large (max is ${NEON_MAX_RESPONSE_BYTES} bytes)","code":""}`);
    expect(endpoint.stats().tooLargeResponses).toBe(1);
  });

  it('counts the rows of every query of a batch together, and rolls the batch back', async () => {
    const half = String(6 * MiB);
    const error = await rejection(
      sql.transaction([
        sql`insert into notes (body) values ('kept?') returning id`,
        sql`select repeat('x', ${half}::int) as a`,
        sql`select repeat('y', ${half}::int) as b`,
      ]),
    );
    expect(error.message).toContain('HTTP status 507');
    expect((await direct.query('select count(*)::int as n from notes')).rows[0].n).toBe(0);
    // The endpoint's connection is usable afterwards: the transaction ended.
    expect(await sql`select 1 as one`).toEqual([{ one: 1 }]);
  });

  it('answers rows under the limit, and reports the largest answer', async () => {
    const rows = await sql`select repeat('x', ${String(9 * MiB)}::int) as big`;
    expect((rows[0] as { big: string }).big).toHaveLength(9 * MiB);
    expect(endpoint.stats()).toMatchObject({ tooLargeResponses: 0 });
    expect(endpoint.stats().largestResponseBytes).toBeGreaterThan(9 * MiB);
  });
});

describe('the API’s answer when the database refuses on size (a last line of defence)', () => {
  /** What the worker answers when a handler's database call fails with `error` (worker/http/errors.ts). */
  async function answerTo(error: Error) {
    const app = createRouter();
    app.get('/read', () => {
      throw error;
    });
    app.onError(handleError);
    const response = await app.request('/read');
    return { status: response.status, type: response.headers.get('content-type'), problem: (await response.json()) as { type: string; detail: string } };
  }

  it('a response over 10 MiB is a 507 problem naming the limit, not a 500 or a retry-later 503', async () => {
    const answer = await answerTo(await rejection(sql`select repeat('x', ${String(NEON_MAX_RESPONSE_BYTES + 1)}::int) as big`));
    expect(answer.status).toBe(507);
    expect(answer.type).toMatch(/^application\/problem\+json/);
    expect(answer.problem.type).toMatch(/database-response-too-large$/);
    expect(answer.problem.detail).toContain(`more than ${NEON_MAX_RESPONSE_BYTES} bytes`);
  });

  it('a request over 10 MiB is a 413 problem naming the limit', async () => {
    const quotes = '"'.repeat(Math.ceil(2.7 * MiB));
    const answer = await answerTo(await rejection(sql.transaction([sql`insert into notes (body) values (${JSON.stringify({ quotes })})`])));
    expect(answer.status).toBe(413);
    expect(answer.problem.type).toMatch(/payload-too-large$/);
    expect(answer.problem.detail).toContain(`more than ${NEON_MAX_REQUEST_BYTES} bytes`);
  });
});
