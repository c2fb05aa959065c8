import { createRoute, type RouteConfig, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Scope } from '../../db/schema.ts';
import type { Database } from '../db/client.ts';
import type { PageRequest } from '../db/collections.ts';
import { NotFound } from '../db/errors.ts';
import type { AppEnv } from '../env.ts';
import { tenantOf, tenantSecurity } from '../http/auth.ts';
import { IDEMPOTENCY_PROBLEMS, IdempotencyHeadersSchema } from '../http/idempotency.ts';
import { decodeCursor, PageQuerySchema, pageSchema, toPage } from '../http/pagination.ts';
import { BY_ID_PROBLEMS, JSON_BODY_PROBLEMS, type ProblemName, problemResponses, QUERY_PROBLEMS, SCOPED_PROBLEMS } from '../http/problem.ts';
import { idParamsSchema } from '../http/schemas.ts';

/*
 * The create/list/get/remove route set that api-keys, partner-clients, webhook-endpoints and units
 * share: a collection at `path` and its members at `path/{id}`, each operation with the request parts
 * and problems of its kind. A resource gives what differs (names, words, schemas); its handlers are
 * typed by these routes like any other's.
 */

interface Operation {
  operationId: string;
  summary: string;
  description: string;
}

type SuccessResponses = RouteConfig['responses'];

export interface ResourceSpec<
  Item extends z.ZodType,
  Body extends z.ZodType,
  Created extends z.ZodType,
  Query extends z.ZodObject,
  Removed extends SuccessResponses,
  CreateProblems extends readonly ProblemName[],
  RemoveProblems extends readonly ProblemName[],
> {
  /** The collection, e.g. `/v1/api-keys`. */
  path: string;
  tags: string[];
  /** The scope every operation needs, unless `readScope` says otherwise for list and get. */
  scope: Scope;
  readScope?: Scope;
  /** The description of the `{id}` path parameter. */
  id: string;
  item: Item;
  /** The name of the page schema in the document, e.g. `ApiKeyPage`. */
  page: string;
  create: Operation & {
    body: Body;
    /** The 201's description, its `Location` header's and its body. */
    created: { description: string; location: string; schema: Created };
    problems?: CreateProblems;
  };
  list: Operation & { response: string; query?: Query };
  get: Operation & { response: string };
  /** DELETE on a member: a revocation (200 with the member) or a deletion (204). */
  remove: Operation & { responses: Removed; problems?: RemoveProblems };
}

export function resourceRoutes<
  Item extends z.ZodType,
  Body extends z.ZodType,
  Created extends z.ZodType,
  Removed extends SuccessResponses,
  const CreateProblems extends readonly ProblemName[] = [],
  const RemoveProblems extends readonly ProblemName[] = [],
  Query extends z.ZodObject = typeof PageQuerySchema,
>(spec: ResourceSpec<Item, Body, Created, Query, Removed, CreateProblems, RemoveProblems>) {
  const { path, tags, scope, readScope = scope, item } = spec;
  const params = idParamsSchema(spec.id);
  const member = `${path}/{id}`;
  // Every operation's fields, in the order the document has always listed them.
  const route = <const M extends RouteConfig['method'], Req extends RouteConfig['request'], Res extends RouteConfig['responses']>(
    method: M,
    at: string,
    { operationId, summary, description }: Operation,
    needs: Scope,
    request: Req,
    responses: Res,
  ) => createRoute({ method, path: at, operationId, summary, description, tags, ...tenantSecurity(needs), request, responses });
  const create = route(
    'post',
    path,
    spec.create,
    scope,
    {
      headers: IdempotencyHeadersSchema,
      body: { required: true, content: { 'application/json': { schema: spec.create.body } } },
    },
    {
      201: {
        description: spec.create.created.description,
        headers: z.object({ Location: z.string().openapi({ description: spec.create.created.location }) }),
        content: { 'application/json': { schema: spec.create.created.schema } },
      },
      ...problemResponses(SCOPED_PROBLEMS, JSON_BODY_PROBLEMS, IDEMPOTENCY_PROBLEMS, ...((spec.create.problems ?? []) as CreateProblems)),
    },
  );
  const list = route('get', path, spec.list, readScope, { query: (spec.list.query ?? PageQuerySchema) as Query }, {
    200: { description: spec.list.response, content: { 'application/json': { schema: pageSchema(item, spec.page) } } },
    ...problemResponses(SCOPED_PROBLEMS, QUERY_PROBLEMS),
  });
  const get = route('get', member, spec.get, readScope, { params }, {
    200: { description: spec.get.response, content: { 'application/json': { schema: item } } },
    ...problemResponses(SCOPED_PROBLEMS, BY_ID_PROBLEMS),
  });
  const remove = route('delete', member, spec.remove, scope, { params }, {
    ...spec.remove.responses,
    ...problemResponses(SCOPED_PROBLEMS, BY_ID_PROBLEMS, ...((spec.remove.problems ?? []) as RemoveProblems)),
  });
  return { params, create, list, get, remove };
}

/** What a list handler reads: the page, and the filters of the resource's query, if any. */
type ListContext<F> = Context<AppEnv, string, { out: { query: { limit: number; cursor?: string | undefined } & F } }>;

/**
 * The list handler of a resource: a page of the tenant's rows from `list` (db/collections.ts
 * `listPage`), each shown by `present`, with `Link` to the next.
 */
export function listHandler<Row extends { id: string }, R, F = object>(
  list: (db: Database, tenantId: string, page: PageRequest, filter: F) => Promise<Row[]>,
  present: (row: Row) => R,
) {
  return async (c: ListContext<F>) => {
    const { limit, cursor, ...filter } = c.req.valid('query');
    const rows = await list(c.get('db'), tenantOf(c.get('principal')).tenant.id, { limit, after: decodeCursor(cursor) }, filter as F);
    return c.json(toPage(c, rows, limit, present), 200);
  };
}

/** The get handler of a resource: the tenant's row `id` from `get`, shown by `present`; else 404 naming `resource`. */
export function getHandler<Row, R>(resource: string, get: (db: Database, tenantId: string, id: string) => Promise<Row | undefined>, present: (row: Row) => R) {
  return async (c: Context<AppEnv, string, { out: { param: { id: string } } }>) => {
    const { id } = c.req.valid('param');
    const row = await get(c.get('db'), tenantOf(c.get('principal')).tenant.id, id);
    if (row === undefined) throw new NotFound(resource, id);
    return c.json(present(row), 200);
  };
}
