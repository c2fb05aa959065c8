/**
 * What the Neon driver and drizzle throw, read without importing their classes: drizzle wraps a
 * query's `NeonDbError` in `DrizzleQueryError` (code on `cause`); a batch throws it bare.
 */
interface DriverError {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  sourceError?: unknown;
}

function* chain(error: unknown): Generator<DriverError> {
  const seen = new Set<unknown>();
  let current = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const e = current as DriverError;
    yield e;
    current = e.cause ?? e.sourceError;
  }
}

/** The SQLSTATE of a database error anywhere in the cause chain. */
export function sqlState(error: unknown): string | undefined {
  for (const e of chain(error)) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  }
  return undefined;
}

/**
 * SQLSTATEs that mean "the database is not there right now", not "your query is wrong":
 * class 08 (connection), 57P01-57P03 (shutdown, cannot connect now), 53300 (too many connections).
 */
const UNAVAILABLE_STATE = /^(08...|57P0[123]|53300)$/;

/**
 * True when a round trip was aborted by its deadline (`AbortSignal.timeout`, see createDatabase):
 * the driver wraps the fetch's `TimeoutError` as `sourceError`, or it surfaces bare while the body
 * is read. Unlike an unreachable database, the work may still have been committed.
 */
export function isDatabaseTimeout(error: unknown): boolean {
  for (const e of chain(error)) if (e.name === 'TimeoutError') return true;
  return false;
}

/** True when the error says the database could not be reached, so a retry later may succeed. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const state = sqlState(error);
  if (state) return UNAVAILABLE_STATE.test(state);
  for (const e of chain(error)) {
    const message = typeof e.message === 'string' ? e.message : '';
    // The driver's own words when fetch fails or the endpoint answers 5xx.
    if (message.startsWith('Error connecting to database') || message.startsWith('Server error (HTTP status 5')) {
      return true;
    }
  }
  return false;
}

export const UNIQUE_VIOLATION = '23505';
/** What a rotation batch raises, on purpose, when its target is gone or no longer live: the batch rolls back. */
export const DIVISION_BY_ZERO = '22012';

/**
 * The innermost error's name, SQLSTATE and first line, for logs. Drizzle's own message carries the
 * query's parameters, which may be secrets or personal data, so it is never logged.
 */
export function describeError(error: unknown): string {
  let innermost: DriverError | undefined;
  for (const e of chain(error)) innermost = e;
  if (!innermost) return String(error);
  const name = innermost instanceof Error ? innermost.name : 'Error';
  const message = typeof innermost.message === 'string' ? innermost.message.split('\n')[0] : String(innermost);
  const state = sqlState(error);
  return `${name}${state ? ` [${state}]` : ''}: ${message}`;
}
