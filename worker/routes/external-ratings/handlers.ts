import type { RouteHandler } from '@hono/zod-openapi';
import type { Context } from 'hono';
import * as store from '../../db/external-ratings.ts';
import { type ExternalRatingValues, externalRatingRow } from '../../db/external-ratings.ts';
import type { IdempotencyClaim } from '../../db/idempotency.ts';
import { recordExternalRatings } from '../../db/ratings.ts';
import { uuidv7 } from '../../domain/ids.ts';
import { type HashKey, keyedHash, tenantHashKey } from '../../domain/pseudonyms.ts';
import type { AppEnv } from '../../env.ts';
import { actingOf, tenantOf } from '../../http/auth.ts';
import { csvRecord, neutralizeFormula } from '../../http/csv.ts';
import { respondOnce } from '../../http/idempotency.ts';
import { decodeCursor, toPage } from '../../http/pagination.ts';
import { ProblemError } from '../../http/problem.ts';
import { responseRow } from '../../http/row-schemas.ts';
import type {
  CreateExternalRatingBatchRoute,
  CreateExternalRatingRoute,
  EraseExternalRatingsRoute,
  ExportExternalRatingsRoute,
  GetExternalRatingRoute,
  ListExternalRatingsRoute,
} from './routes.ts';
import { CSV_COLUMNS, type ExternalRatingFilterQuery, type ExternalRatingInput, type ExternalRatingResource } from './schemas.ts';

/** How a customerRef is stored and matched: only its keyed hash under the tenant's key. */
const customerRefHash = (hashKey: HashKey, customerRef: string) => keyedHash(hashKey, 'customer-ref', customerRef);

async function toNewRating({ customerRef, ...fields }: ExternalRatingInput, hashKey: HashKey): Promise<ExternalRatingValues> {
  return { id: uuidv7(), ...fields, customerRefHash: customerRef == null ? null : await customerRefHash(hashKey, customerRef) };
}

function externalRatingResource(rating: ExternalRatingValues, receivedAt: Date): ExternalRatingResource {
  const { customerRefHash: hash, ...fields } = rating;
  return responseRow(CSV_COLUMNS, { ...fields, occurredAt: new Date(rating.occurredAt), receivedAt, hasCustomerRef: hash != null }) as ExternalRatingResource;
}

/** Everything a write needs, prepared before its one round trip: ids, keyed hashes. */
async function prepareRatings(c: Context<AppEnv>, inputs: ExternalRatingInput[]) {
  const { tenant } = tenantOf(c.get('principal'));
  const hashKey = await tenantHashKey(c.env.HASH_SECRET, tenant.id);
  const ratings = await Promise.all(inputs.map((input) => toNewRating(input, hashKey)));
  const receivedAt = new Date();
  const record = (claim: IdempotencyClaim | undefined) => recordExternalRatings(c.get('db'), tenant.id, ratings.map(externalRatingRow), receivedAt, claim);
  return { hashKey, ratings, receivedAt, record };
}

export const createExternalRating: RouteHandler<CreateExternalRatingRoute, AppEnv> = async (c) => {
  const { hashKey, ratings, receivedAt, record } = await prepareRatings(c, [c.req.valid('json')]);
  const answer = { status: 201 as const, body: externalRatingResource(ratings[0]!, receivedAt), hashKey };
  return respondOnce(c, { ...answer, headers: ({ id }) => ({ Location: `/v1/external-ratings/${id}` }) }, record);
};

export const createExternalRatingBatch: RouteHandler<CreateExternalRatingBatchRoute, AppEnv> = async (c) => {
  const { items } = c.req.valid('json');
  const { hashKey, ratings, record } = await prepareRatings(c, items);
  return respondOnce(c, { status: 201, body: { count: ratings.length, ids: ratings.map((r) => r.id) }, hashKey }, record);
};

function storedRatingResource(rating: store.StoredExternalRating): ExternalRatingResource {
  return { ...rating, occurredAt: rating.occurredAt.toISOString(), receivedAt: rating.receivedAt.toISOString() };
}

function filterOf({ from, to, ...equal }: ExternalRatingFilterQuery): store.ExternalRatingFilter {
  return { ...equal, from: from === undefined ? undefined : new Date(from), to: to === undefined ? undefined : new Date(to) };
}

export const listExternalRatings: RouteHandler<ListExternalRatingsRoute, AppEnv> = async (c) => {
  const { limit, cursor, ...filters } = c.req.valid('query');
  const { tenant } = tenantOf(c.get('principal'));
  const rows = await store.listExternalRatings(c.get('db'), tenant.id, filterOf(filters), { limit, after: decodeCursor(cursor) });
  return c.json(toPage(c, rows, limit, storedRatingResource), 200);
};

export const getExternalRating: RouteHandler<GetExternalRatingRoute, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  const rating = await store.getExternalRating(c.get('db'), tenantOf(c.get('principal')).tenant.id, id);
  if (!rating) throw new ProblemError('notFound', `There is no external rating ${id}.`);
  return c.json(storedRatingResource(rating), 200);
};

/** Rows per database round trip of an export: at most two pages are held in memory at once. */
const EXPORT_PAGE_ROWS = 1000;

function csvLine(rating: store.StoredExternalRating): string {
  const resource = storedRatingResource(rating);
  return csvRecord(CSV_COLUMNS.map((column) => (column === 'comment' ? neutralizeFormula(resource.comment) : resource[column])));
}

export const exportExternalRatings: RouteHandler<ExportExternalRatingsRoute, AppEnv> = async (c) => {
  const db = c.get('db');
  const { tenant } = tenantOf(c.get('principal'));
  const filter = filterOf(c.req.valid('query'));
  const page = (after?: string) => store.listExternalRatings(db, tenant.id, filter, { limit: EXPORT_PAGE_ROWS, after }, after ? undefined : actingOf(c));
  const encoder = new TextEncoder();
  // Read before answering, so that a database failure is still a problem response, not a cut file;
  // the first page's batch records the export, so there is none without its audit event.
  let rows = await page();
  // Pulled as the client reads: a slow client holds back the queries, and memory stays bounded.
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(csvRecord(CSV_COLUMNS)));
    },
    async pull(controller) {
      const ratings = rows.slice(0, EXPORT_PAGE_ROWS);
      if (ratings.length > 0) controller.enqueue(encoder.encode(ratings.map(csvLine).join('')));
      if (rows.length <= EXPORT_PAGE_ROWS) controller.close();
      else rows = await page(ratings.at(-1)!.id);
    },
  });
  const filename = `external-ratings-${new Date().toISOString().slice(0, 10)}.csv`;
  return c.body(body, 200, {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${filename}"`,
  });
};

export const eraseExternalRatings: RouteHandler<EraseExternalRatingsRoute, AppEnv> = async (c) => {
  const { customerRef } = c.req.valid('query');
  const { tenant } = tenantOf(c.get('principal'));
  const hash = await customerRefHash(await tenantHashKey(c.env.HASH_SECRET, tenant.id), customerRef);
  const erased = await store.eraseCustomerRatings(c.get('db'), tenant.id, hash, actingOf(c));
  return c.json({ erased }, 200);
};
