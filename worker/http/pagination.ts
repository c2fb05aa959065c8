import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { documentOperations, withResponseHeaders } from './openapi.ts';
import { ProblemError } from './problem.ts';
import type { AppRouter } from './router.ts';

/**
 * Cursor pagination over time-ordered ids (UUIDv7), newest first. The cursor is opaque to clients
 * (base64url of a versioned id), so its format can change without breaking them. Collections with
 * small rows (ratings) allow larger pages than the default; `fallback` is the limit when none is given.
 */
export function pageQuerySchema({ max, fallback }: { max: number; fallback: number }) {
  return z.object({
    limit: z.coerce.number().int().openapi({ format: 'int32' }).min(1).max(max).default(fallback).openapi({
      description: `Items per page, 1-${max}.`,
      example: fallback,
    }),
    cursor: z.string().max(200).optional().openapi({
      description: 'The `nextCursor` of the previous page; omit for the first page.',
    }),
  });
}

export const PageQuerySchema = pageQuerySchema({ max: 100, fallback: 20 });

const CURSOR_PREFIX = 'v1:';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeCursor(id: string): string {
  return btoa(CURSOR_PREFIX + id).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** The id to continue after, or undefined for the first page; a cursor we did not issue is a 400. */
export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  let decoded = '';
  try {
    decoded = atob(cursor.replaceAll('-', '+').replaceAll('_', '/'));
  } catch {
    // falls through to the refusal below
  }
  const id = decoded.startsWith(CURSOR_PREFIX) ? decoded.slice(CURSOR_PREFIX.length) : '';
  if (!UUID.test(id)) {
    throw new ProblemError('invalidParameters', 'The cursor is not one this API issued; pass a nextCursor back unchanged.', {
      errors: [{ location: 'query', pointer: '/cursor', detail: 'Unknown cursor' }],
    });
  }
  return id;
}

/**
 * A page of `rows` (fetched with one row more than `limit`, to know whether a next page exists), and
 * `Link: <…>; rel="next"` (RFC 8288) on the answer when it does, so generic HTTP clients page without
 * knowing the body's shape. The reference is relative: it resolves against the request's URL.
 */
export function toPage<T extends { id: string }, R>(c: Context<AppEnv>, rows: T[], limit: number, present: (row: T) => R) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const nextCursor = rows.length > limit && last ? encodeCursor(last.id) : null;
  if (nextCursor !== null) {
    const url = new URL(c.req.url);
    // Only the parameters the operation validated: unknown ones are ignored, so echoing them could only grow the header.
    const known = (c.req.valid('query' as never) ?? {}) as Record<string, unknown>;
    const search = new URLSearchParams([...url.searchParams].filter(([name]) => name in known && name !== 'cursor'));
    search.set('cursor', nextCursor);
    c.header('Link', `<${url.pathname}?${search}>; rel="next"`);
  }
  return { data: items.map(present), nextCursor };
}

/** The response shape of every list: `{ data, nextCursor }`. */
export function pageSchema<T extends z.ZodType>(item: T, name: string) {
  return z
    .object({
      data: z.array(item),
      nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last.' }),
    })
    .openapi(name);
}

/** Documents `Link` on the 200 of every operation under `prefixes` whose body is a page; before the routers mount. */
export function documentPageLinks(app: AppRouter, prefixes: readonly string[]): void {
  documentOperations(app, prefixes, (route) => {
    const schema = (route.responses[200] as { content?: Record<string, { schema?: unknown }> } | undefined)?.content?.['application/json']?.schema;
    if (!(schema instanceof z.ZodObject) || !('nextCursor' in schema.shape)) return route;
    const { 200: ok, ...rest } = route.responses;
    return {
      ...route,
      responses: {
        ...rest,
        ...withResponseHeaders({ 200: ok! }, {
          Link: {
            description: 'The next page, `<…&cursor=…>; rel="next"` (RFC 8288); absent on the last page.',
            schema: { type: 'string', maxLength: 2048, pattern: '^<[^>]+>; rel="next"$' },
          },
        }),
      },
    };
  });
}
