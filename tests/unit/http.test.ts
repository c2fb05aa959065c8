import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { createApp } from '../../worker/app.ts';
import { describeError, isDatabaseUnavailable, sqlState } from '../../worker/db/errors.ts';
import { createNotFoundHandler, handleError } from '../../worker/http/errors.ts';
import { createRouter } from '../../worker/http/router.ts';
import { decodeCursor, encodeCursor, toPage } from '../../worker/http/pagination.ts';
import { fieldErrors, jsonPointer } from '../../worker/http/validation.ts';
import type { AppEnv } from '../../worker/env.ts';
import { nodeEnv } from './env.ts';

// The app runs in Node too; no route used here touches the database.
const env = nodeEnv;

afterEach(() => vi.restoreAllMocks());

describe('jsonPointer', () => {
  test('joins path segments and escapes ~ and / (RFC 6901)', () => {
    expect(jsonPointer([])).toBe('');
    expect(jsonPointer(['items', 17, 'overall'])).toBe('/items/17/overall');
    expect(jsonPointer(['a/b', 'm~n'])).toBe('/a~1b/m~0n');
  });
});

describe('fieldErrors', () => {
  test('names each failing field, unknown keys one by one, missing ones as required', () => {
    const schema = z.strictObject({ name: z.string(), nested: z.strictObject({ score: z.number().int().max(5) }) });
    const result = schema.safeParse({ nested: { score: 9, extra: 1 }, other: true });
    expect(result.success).toBe(false);
    const errors = fieldErrors(result.error!, 'body', { nested: { score: 9, extra: 1 }, other: true });
    expect(errors).toEqual(
      expect.arrayContaining([
        { location: 'body', pointer: '/name', detail: 'Required' },
        { location: 'body', pointer: '/nested/score', detail: expect.stringContaining('5') },
        { location: 'body', pointer: '/nested/extra', detail: 'Unknown field' },
        { location: 'body', pointer: '/other', detail: 'Unknown field' },
      ]),
    );
  });
});

describe('database errors', () => {
  test('connection-class SQLSTATEs, shutdowns and transport failures mean unavailable', () => {
    expect(isDatabaseUnavailable({ code: '08001' })).toBe(true);
    expect(isDatabaseUnavailable({ code: '57P01' })).toBe(true);
    expect(isDatabaseUnavailable({ code: '53300' })).toBe(true);
    expect(isDatabaseUnavailable({ message: 'Failed query', cause: { code: '08006' } })).toBe(true);
    expect(isDatabaseUnavailable({ message: 'Error connecting to database: TypeError: fetch failed' })).toBe(true);
    expect(isDatabaseUnavailable({ message: 'Server error (HTTP status 503): down' })).toBe(true);
  });

  test('query errors are not unavailability', () => {
    expect(isDatabaseUnavailable({ code: '23505' })).toBe(false);
    expect(isDatabaseUnavailable({ message: 'Failed query', cause: { code: '42P01' } })).toBe(false);
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });

  test('sqlState reads through drizzle wrappers and survives cycles', () => {
    const cyclic: { code?: string; cause?: unknown } = {};
    cyclic.cause = cyclic;
    expect(sqlState(cyclic)).toBeUndefined();
    expect(sqlState({ cause: { code: 'ECONNREFUSED', cause: { code: '23505' } } })).toBe('23505');
  });
});

describe('error handling', () => {
  function appThatThrows(error: unknown) {
    const app = createRouter();
    app.get('/boom', () => {
      throw error;
    });
    app.post('/items/:id', (c) => c.text('ok'));
    app.onError(handleError);
    app.notFound(createNotFoundHandler(() => app.routes));
    return app;
  }

  test('an unexpected exception is a 500 problem that leaks nothing', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const response = await appThatThrows(new Error('password=hunter2 at /srv/secret.ts:1')).request('/boom');
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const text = await response.text();
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('secret.ts');
    expect(JSON.parse(text)).toMatchObject({ status: 500, title: 'Internal error' });
  });

  test('an unreachable database is a 503 with Retry-After', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const response = await appThatThrows(new Error('Failed query', { cause: { code: '08001' } })).request('/boom');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
  });

  test('a known path with another method is 405 with Allow; parameters match any segment', async () => {
    const response = await appThatThrows(null).request('/items/42', { method: 'GET' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect((await appThatThrows(null).request('/items/42/more')).status).toBe(404);
  });
});

describe('request log', () => {
  test('writes one JSON line per request with method, route, status, duration and request id', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => lines.push(line));
    const response = await createApp().request('/health', { headers: { 'X-Request-Id': 'trace-1' } }, env);
    expect(response.status).toBe(200);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      level: 'info',
      message: 'request',
      // The server's own id; the client's is logged beside it, labelled (issue 14).
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      clientRequestId: 'trace-1',
      method: 'GET',
      route: '/health',
      status: 200,
      durationMs: expect.any(Number),
    });
  });

  test('an unmatched request is logged without a route', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => lines.push(line));
    await createApp().request('/nowhere', {}, env);
    expect(JSON.parse(lines[0]!)).toMatchObject({ route: null, status: 404 });
  });
});

describe('describeError', () => {
  test('logs the root cause and SQLSTATE, never drizzle query parameters', () => {
    const driverError = Object.assign(new Error('connection refused\ndetail'), { name: 'NeonDbError', code: '08001' });
    const drizzleError = new Error('Failed query: select 1\nparams: sck_secret', { cause: driverError });
    expect(describeError(drizzleError)).toBe('NeonDbError [08001]: connection refused');
    expect(describeError(drizzleError)).not.toContain('sck_secret');
  });
});

describe('cursors', () => {
  test('round-trip an id and refuse anything else with a 400 naming the cursor', () => {
    const id = '01a209a4-ba5b-7b50-b9e2-1ae7dfb2a0fe';
    expect(decodeCursor(encodeCursor(id))).toBe(id);
    expect(decodeCursor(undefined)).toBeUndefined();
    for (const bad of ['', 'abc', '!!!', encodeCursor('not-a-uuid'), btoa(id)]) {
      expect(() => decodeCursor(bad)).toThrow(expect.objectContaining({ kind: expect.objectContaining({ status: 400 }) }));
    }
    const rows = [{ id: 'c' }, { id: 'b' }, { id: 'a' }].map((r) => ({ id: `${r.id}${id.slice(1)}` }));
    const context = () => ({ req: { url: 'https://api.test/v1/units?limit=2', valid: () => ({ limit: 2 }) }, header: vi.fn() }) as unknown as Context<AppEnv> & { header: ReturnType<typeof vi.fn> };
    const paged = context();
    expect(toPage(paged, rows, 2, (r) => r.id)).toEqual({ data: [rows[0]!.id, rows[1]!.id], nextCursor: encodeCursor(rows[1]!.id) });
    expect(paged.header).toHaveBeenCalledWith('Link', `</v1/units?limit=2&cursor=${encodeCursor(rows[1]!.id)}>; rel="next"`);
    const last = context();
    expect(toPage(last, rows, 3, (r) => r.id).nextCursor).toBeNull();
    expect(last.header).not.toHaveBeenCalled();
  });
});
