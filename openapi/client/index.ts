/**
 * A typed client for the Service Culture Benchmark API: openapi-fetch over the types openapi-typescript
 * generates from the committed OpenAPI document (`schema.d.ts`), plus what every caller needs and should
 * not write twice — credentials (an API key, or OAuth client credentials with a cached, refreshed token),
 * an `Idempotency-Key` on every POST, retries of 429/503 that wait as long as `Retry-After` says, and
 * cursor pagination as an async iterator. Web APIs only (fetch, crypto.randomUUID), so it runs in Node 20+,
 * browsers, Deno and Workers.
 *
 * @example
 * const api = createClient({ baseUrl: 'http://127.0.0.1:8787', apiKey: 'sck_…' });
 * const tenant = unwrap(await api.GET('/v1/tenant'));
 * for await (const unit of api.paginate('/v1/units')) console.log(unit.name);
 */
import createFetchClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, operations, paths } from './schema.js';
export type Problem = components['schemas']['Problem'];

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  /** Space-separated scopes to ask for; all the client's scopes when absent. */
  scope?: string;
}

export interface RetryOptions {
  /** Attempts in all, the first included. Default 4. */
  maxAttempts?: number;
  /** A `Retry-After` longer than this is not waited for: the 429/503 is returned. Default 60. */
  maxDelaySeconds?: number;
  /** Statuses worth another attempt. Default 429 and 503, the two this API sends `Retry-After` with. */
  statuses?: number[];
}

export interface ClientOptions {
  /** Default `http://127.0.0.1:8787` (`npm start`). */
  baseUrl?: string;
  /** A tenant API key (`sck_…`), sent as `Authorization: Bearer`. */
  apiKey?: string;
  /** A partner client: tokens come from `POST /oauth/token` and are renewed before they expire. */
  clientCredentials?: ClientCredentials;
  retry?: RetryOptions;
  /** Renew a token when fewer seconds than this are left. Default 60. */
  refreshMarginSeconds?: number;
  /** Default `globalThis.fetch`. */
  fetch?: (request: Request) => Promise<Response>;
  /** Idempotency keys for POSTs that bring none. Default `crypto.randomUUID()`. */
  idempotencyKey?: () => string;
  /** Clock in milliseconds, for token expiry. Default `Date.now`. */
  now?: () => number;
  /** How waiting is done. Default `setTimeout`. */
  sleep?: (ms: number) => Promise<void>;
}

/** An error answer (problem+json, or RFC 6749 JSON from `/oauth/token`) turned into an exception. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    /** The problem object, or whatever JSON/text the body held. */
    readonly body: unknown,
  ) {
    const problem = body as Partial<Problem> & { error?: string; error_description?: string };
    super(`${status} ${problem?.title ?? problem?.error ?? ''}: ${problem?.detail ?? problem?.error_description ?? String(body)}`.trim());
  }

  /** The problem's `type` URI, when the body was problem+json. */
  get type(): string | undefined {
    return (this.body as Partial<Problem> | undefined)?.type;
  }
}

/** openapi-fetch's result: the data, or an ApiError carrying the error body. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) throw new ApiError(result.response.status, result.error);
  return result.data as T;
}

/**
 * `Retry-After` (RFC 9110 §10.2.3: delay-seconds or an HTTP date) in milliseconds from `now`, or
 * undefined when absent or unreadable.
 */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends `request` (cloned per attempt, so the body can be sent again) until the answer is not a
 * retryable status, attempts run out, or the server asks for a longer wait than `maxDelaySeconds`.
 * Without `Retry-After`, waits 0.5 s, 1 s, 2 s… with jitter.
 */
async function sendWithRetries(
  request: Request,
  send: (request: Request) => Promise<Response>,
  { maxAttempts = 4, maxDelaySeconds = 60, statuses = [429, 503] }: RetryOptions,
  sleep: (ms: number) => Promise<void>,
  now: () => number,
): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const response = await send(request.clone());
    if (attempt >= maxAttempts || !statuses.includes(response.status)) return response;
    const delay = retryAfterMs(response.headers.get('Retry-After'), now()) ?? 500 * 2 ** (attempt - 1) * (0.5 + Math.random());
    if (delay > maxDelaySeconds * 1000) return response;
    // The body would otherwise hold the connection open while we wait.
    await response.body?.cancel();
    await sleep(delay);
  }
}

/** Access tokens for a partner client: one request at a time, cached until `refreshMarginSeconds` before expiry. */
class TokenSource {
  #token?: { value: string; expiresAt: number };
  #pending?: Promise<string>;

  constructor(
    private readonly tokenUrl: string,
    private readonly credentials: ClientCredentials,
    private readonly send: (request: Request) => Promise<Response>,
    private readonly marginMs: number,
    private readonly now: () => number,
  ) {}

  token(): Promise<string> {
    if (this.#token && this.now() < this.#token.expiresAt - this.marginMs) return Promise.resolve(this.#token.value);
    // Concurrent callers share one token request.
    this.#pending ??= this.#issue().finally(() => (this.#pending = undefined));
    return this.#pending;
  }

  /** Forget the cached token (the API refused it), unless another caller already replaced it. */
  invalidate(rejected: string): void {
    if (this.#token?.value === rejected) this.#token = undefined;
  }

  async #issue(): Promise<string> {
    const { clientId, clientSecret, scope } = this.credentials;
    // RFC 6749 §2.3.1: each part form-urlencoded before Basic encoding.
    const formEncode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
    const body = new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) });
    const response = await this.send(
      new Request(this.tokenUrl, {
        method: 'POST',
        headers: {
          Authorization: `Basic ${btoa(`${formEncode(clientId)}:${formEncode(clientSecret)}`)}`,
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body,
      }),
    );
    const json = (await response.json().catch(() => undefined)) as { access_token?: string; expires_in?: number } | undefined;
    if (!response.ok || !json?.access_token) throw new ApiError(response.status, json);
    this.#token = { value: json.access_token, expiresAt: this.now() + (json.expires_in ?? 0) * 1000 };
    return json.access_token;
  }
}

/** Adds an `Idempotency-Key` to every POST without one; set before the retries, so every attempt carries the same key. */
function idempotencyKeys(generate: () => string): Middleware {
  return {
    async onRequest({ request }) {
      if (request.method === 'POST' && !request.headers.has('Idempotency-Key')) request.headers.set('Idempotency-Key', generate());
      return request;
    },
  };
}

/** The list endpoints: a GET answering `{ data: T[], nextCursor }`. */
export type ListPath = {
  [P in keyof paths]: paths[P] extends {
    get: { responses: { 200: { content: { 'application/json': { data: unknown[]; nextCursor: string | null } } } } };
  }
    ? P
    : never;
}[keyof paths];

type ListOperation<P extends ListPath> = paths[P]['get'];
export type ListItem<P extends ListPath> = ListOperation<P>['responses'][200]['content']['application/json']['data'][number];
type ListQuery<P extends ListPath> = ListOperation<P> extends { parameters: { query?: infer Q } } ? Omit<NonNullable<Q>, 'cursor'> : never;

export type ServiceCultureClient = Client<paths> & {
  /**
   * Every item of a cursor-paginated list, fetching page after page (`limit` sets the page size) as
   * the loop asks for more. An error answer throws ApiError.
   *
   * @example
   * for await (const rating of api.paginate('/v1/external-ratings', { query: { limit: 100 } })) …
   */
  paginate<P extends ListPath>(path: P, params?: { query?: ListQuery<P> }): AsyncGenerator<ListItem<P>, void, undefined>;
};

export function createClient(options: ClientOptions = {}): ServiceCultureClient {
  const {
    baseUrl = 'http://127.0.0.1:8787',
    apiKey,
    clientCredentials,
    retry = {},
    refreshMarginSeconds = 60,
    fetch: baseFetch = (request) => globalThis.fetch(request),
    idempotencyKey = () => crypto.randomUUID(),
    now = Date.now,
    sleep = sleepFor,
  } = options;
  if (apiKey && clientCredentials) throw new TypeError('Pass apiKey or clientCredentials, not both.');
  const root = baseUrl.replace(/\/+$/, '');
  const withRetries = (request: Request) => sendWithRetries(request, baseFetch, retry, sleep, now);
  const tokens = clientCredentials
    ? new TokenSource(`${root}/oauth/token`, clientCredentials, withRetries, refreshMarginSeconds * 1000, now)
    : undefined;

  /**
   * Credentials go on here rather than in a middleware: each attempt asks for the current token, so a
   * retry after a long `Retry-After` does not send an expired one, and a 401 can be answered with one
   * new token and one more attempt (the token may have been revoked or its key rotated early).
   */
  async function authorizedFetch(request: Request): Promise<Response> {
    const attempt = async (token: string | undefined) => {
      const authorized = new Request(request.clone());
      if (token) authorized.headers.set('Authorization', `Bearer ${token}`);
      return withRetries(authorized);
    };
    if (!tokens) return attempt(apiKey);
    const token = await tokens.token();
    const response = await attempt(token);
    if (response.status !== 401) return response;
    await response.body?.cancel();
    tokens.invalidate(token);
    return attempt(await tokens.token());
  }

  const client = createFetchClient<paths>({ baseUrl: root, fetch: authorizedFetch });
  client.use(idempotencyKeys(idempotencyKey));

  async function* paginate<P extends ListPath>(path: P, params: { query?: ListQuery<P> } = {}) {
    let cursor: string | undefined;
    do {
      // The path union is too wide for openapi-fetch's overloads; ListPath guarantees the shape.
      const get = client.GET as (path: string, init: unknown) => Promise<{ data?: unknown; error?: unknown; response: Response }>;
      const page = unwrap(await get(path, { params: { query: { ...params.query, ...(cursor ? { cursor } : {}) } } })) as {
        data: ListItem<P>[];
        nextCursor: string | null;
      };
      yield* page.data;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  return Object.assign(client, { paginate });
}
