import { z } from '@hono/zod-openapi';
import { ProblemError } from './problem.ts';
import {  } from './schemas.ts';

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

/** Queries fetch `limit + 1` rows; the extra one only says whether another page exists. */
export function toPage<T extends { id: string }, R>(rows: T[], limit: number, present: (row: T) => R) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { data: items.map(present), nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
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
