/** A deadlock or serialization failure the database rolled back is retried, and if it persists a 503 to retry: never a 500. */
import { describe, expect, test } from 'vitest';
import { isTransactionConflict, retryConflicts } from '../../worker/db/errors.ts';
import { handleError } from '../../worker/http/errors.ts';
import { createRouter } from '../../worker/http/router.ts';

/** As drizzle throws a failed query: the driver's error, with its SQLSTATE, on `cause`. */
const conflict = (code: string) => Object.assign(new Error('Failed query'), { cause: Object.assign(new Error('deadlock detected'), { code }) });

describe('transaction conflicts', () => {
  test('40P01 and 40001 are conflicts; other SQLSTATEs are not', () => {
    expect(isTransactionConflict(conflict('40P01'))).toBe(true);
    expect(isTransactionConflict(conflict('40001'))).toBe(true);
    expect(isTransactionConflict(conflict('23505'))).toBe(false);
    expect(isTransactionConflict(new Error('boom'))).toBe(false);
  });

  test('retryConflicts runs the write again after a conflict, up to its attempts, and nothing else', async () => {
    let calls = 0;
    await expect(retryConflicts(async () => (++calls < 3 ? Promise.reject(conflict('40P01')) : 'done'))).resolves.toBe('done');
    expect(calls).toBe(3);
    calls = 0;
    await expect(retryConflicts(async () => (++calls, Promise.reject(conflict('40001'))))).rejects.toThrow('Failed query');
    expect(calls).toBe(3);
    calls = 0;
    await expect(retryConflicts(async () => (++calls, Promise.reject(conflict('23505'))))).rejects.toThrow('Failed query');
    expect(calls).toBe(1);
  });

  test('a conflict that reaches the error handler is a 503 problem with Retry-After', async () => {
    const app = createRouter();
    app.patch('/write', () => {
      throw conflict('40P01');
    });
    app.onError(handleError);
    const response = await app.request('/write', { method: 'PATCH' });
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('retry-after')).toBe('1');
    const problem = (await response.json()) as { type: string; detail: string };
    expect(problem.type).toMatch(/\/database-conflict$/);
    expect(problem.detail).toContain('nothing was applied');
  });
});
