import type { BatchItem } from 'drizzle-orm/batch';

/**
 * Neon's limits on SQL over HTTP, the proxy's defaults (neondatabase/neon, proxy/src/binary/proxy.rs:
 * `sql_over_http_max_request_size_bytes` and `sql_over_http_max_response_size_bytes`, both
 * `10 * 1024 * 1024`). Over the first, the body is refused before any SQL runs: HTTP 413,
 * "request is too large (max is N bytes)" (proxy/src/serverless/sql_over_http.rs,
 * `ReadPayloadError::BodyTooLarge`). The second caps the rows' bytes (each DataRow's body, summed over
 * a batch's queries): past it the request fails with HTTP 507, "response is too large (max is N
 * bytes)" (`SqlOverHttpError::ResponseTooLarge`). The local endpoint enforces both with these numbers.
 */
export const NEON_MAX_REQUEST_BYTES = 10 * 1024 * 1024;
export const NEON_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

interface Prepared {
  _prepare(): { getQuery(): { sql: string; params: unknown[] } };
}

/**
 * The size of the one HTTP request a batch of `items` becomes, as the Neon driver builds it:
 * `{"queries":[{"query","params"}...]}`, each parameter as its text (JSON for objects), all
 * JSON-encoded once more. That second encoding is why text full of quotes or control characters
 * weighs two to seven times its length. Builds the statements without sending anything.
 */
export function batchRequestBytes(items: readonly BatchItem<'pg'>[]): number {
  const queries = items.map((item) => {
    const { sql, params } = (item as unknown as Prepared)._prepare().getQuery();
    return { query: sql, params: params.map(paramText) };
  });
  return new TextEncoder().encode(JSON.stringify({ queries })).byteLength;
}

function paramText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
