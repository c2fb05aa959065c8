import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';

/**
 * Conditional GET (RFC 9110 §8.8.3, §13.1.2) for reads that are costly to compute and polled by
 * dashboards: the entity tag is derived from the version of the data the answer is computed from and
 * from the request's query, before computing it, so a poll that changed nothing answers 304 at the cost
 * of reading that version.
 */

/** A strong entity tag: the answer is byte-for-byte the same while the data's version and the query are. */
export async function entityTag(c: Context<AppEnv>, version: string): Promise<string> {
  const url = new URL(c.req.url);
  url.searchParams.sort();
  // The path and sorted query name the representation; the tenant is part of every version's input.
  const input = new TextEncoder().encode(`${url.pathname}?${url.searchParams}\n${version}`);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', input));
  return `"${[...digest.slice(0, 16)].map((byte) => byte.toString(16).padStart(2, '0')).join('')}"`;
}

/** Whether `If-None-Match` names `etag` (weak comparison, §13.1.2: a `W/` prefix does not matter). */
export function ifNoneMatch(c: Context<AppEnv>, etag: string): boolean {
  const header = c.req.header('If-None-Match');
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/** Headers of both the 200 and the 304: the tag, and that a cache must ask again before reusing it. */
export function conditionalHeaders(etag: string): Record<string, string> {
  return { ETag: etag, 'Cache-Control': 'private, no-cache' };
}

/** The 304: no body, the tag again (§15.4.5). */
export function notModified(c: Context<AppEnv>, etag: string) {
  return c.body(null, 304, conditionalHeaders(etag));
}

/** The request header every conditional read documents. */
export const ConditionalHeadersSchema = z.object({
  'If-None-Match': z
    .string()
    .max(1000)
    .optional()
    .openapi({ description: 'The `ETag` of an answer already held: a 304 without a body if it is still current.', example: '"3f2a…"' }),
});

/** The headers of a conditional read's 200 (and of its 304). */
export const ETAG_RESPONSE_HEADERS = {
  ETag: {
    description: 'A strong entity tag of this answer; send it back as `If-None-Match` to get a 304 while it is current.',
    schema: { type: 'string' as const, maxLength: 34, pattern: '^"[0-9a-f]{32}"$' },
  },
};

/** The 304 of a conditional read. */
export const NOT_MODIFIED_RESPONSE = {
  description: 'Not modified: the `If-None-Match` tag is current; no body.',
  headers: ETAG_RESPONSE_HEADERS,
} as const;
