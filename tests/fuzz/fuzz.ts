/**
 * The fuzz: every operation of openapi/openapi.json (read at run time, so new routes are covered as
 * they are added), requested with valid input generated from its schemas and with hostile input,
 * each answer judged by the oracle. Request i is generated from `seed + i` alone, so the printed
 * seed and index identify it; the data it aims at (ids) grows from earlier answers.
 */
import fc from 'fast-check';
import type { Fixtures } from './fixtures.ts';
import { badAccept, badContentType, badCursor, badHeaderValue, junk, mutateBody, nastyNumber, nastyString } from './mutations.ts';
import { createOracle, type DocumentedOperation } from './oracle.ts';
import { arbitraryFor, type Hints, type JsonSchema, resolve } from './schema-arbitrary.ts';

export interface FuzzRequest {
  index: number;
  operation: string;
  /** Which part was bent, or `valid`. */
  mutation: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface Failure {
  request: FuzzRequest;
  status: number;
  problem: string;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

export function operationsOf(document: any): DocumentedOperation[] {
  return Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({ method, path, operation: item[method] })),
  );
}

/** The resource a path is about: `/v1/units/{id}` → `units`; ids found in its answers are filed under it. */
const resourceOf = (path: string) => /^\/v1\/([^/{]+)/.exec(path)?.[1] ?? path;

/** An element of a set that may grow, picked at generation time. */
const pick = <T>(values: () => T[], fallback: fc.Arbitrary<T>) =>
  fc.nat().chain((n) => {
    const list = values();
    return list.length > 0 ? fc.constant(list[n % list.length]!) : fallback;
  });

/**
 * workerd itself answers 431 (text/plain) to a request line over its limit, before the worker runs;
 * Cloudflare's edge refuses URLs over 16 KB likewise. Long values stay under that.
 */
const withinUrl = (value: string) => value.slice(0, 1_000);

/** As encodeURIComponent, which throws on a lone surrogate; here it becomes U+FFFD, as browsers send it. */
const percentEncode = (value: string) =>
  Array.from(new TextEncoder().encode(value), (byte) =>
    /[A-Za-z0-9_.~-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
  ).join('');

export function createFuzzer(document: any, fixtures: Fixtures, baseUrl: string) {
  const { credentials, ids, foreignIds, protectedIds } = fixtures;
  const cursors = new Set<string>();
  const idsOf = (map: Map<string, Set<string>>, resource: string) => [...(map.get(resource) ?? [])];

  const hints: Hints = (name, schema) => {
    if (schema.format === 'uuid' && (name === 'unitId' || name === 'parentId')) {
      return fc.oneof(
        { weight: 5, arbitrary: pick(() => idsOf(ids, 'units'), fc.uuid()) },
        { weight: 1, arbitrary: pick(() => idsOf(foreignIds, 'units'), fc.uuid()) },
      );
    }
    if (name === 'client_id') return fc.constant(credentials.clientId);
    if (name === 'client_secret') return fc.constant(credentials.clientSecret);
    if (name === 'scope') return fc.constantFrom('admin', 'ratings:write reports:read', 'ratings:read', '');
    if (name === 'customerRef') return fc.integer({ min: 0, max: 9 }).map((n) => `customer-${n}`);
    if (name === 'externalRef') return fc.constantFrom('hq', 'branch:0', 'branch:1');
    if (name === 'region') return fc.constantFrom('ES', 'MX', 'US', 'DE', 'JP');
    if (name === 'expiresAt') return fc.integer({ min: 1, max: 365 }).map((days) => new Date(Date.now() + days * 86_400_000).toISOString());
    // Public https URLs pass the SSRF check; the fuzz's endpoints are removed before any delivery run.
    if (name === 'url') return fc.integer({ min: 0, max: 9 }).map((n) => `https://hooks.example.com/fuzz/${n}`);
    if (name === 'cursor') return pick(() => [...cursors], fc.constant(undefined));
    return undefined;
  };
  const context = { document, hints };

  /** The fixtures' credential for each security scheme of the document (all scopes). */
  const bySchemes: Record<string, (string | undefined)[]> = {
    operatorToken: [`Bearer ${credentials.operator}`],
    apiKey: [`Bearer ${credentials.adminKey}`],
    partnerOAuth: [`Bearer ${credentials.partnerToken}`],
    // Or client_id and client_secret in the body, which the hints fill in.
    partnerClient: [`Basic ${btoa(`${credentials.clientId}:${credentials.clientSecret}`)}`, undefined],
  };

  function credentialFor(op: DocumentedOperation): fc.Arbitrary<string | undefined> {
    const schemes: string[] = (op.operation.security ?? []).flatMap((requirement: object) => Object.keys(requirement));
    const choices = schemes.flatMap((scheme) => bySchemes[scheme] ?? []);
    return choices.length > 0 ? fc.constantFrom(...choices) : fc.constant(undefined);
  }

  const badAuthorization: fc.Arbitrary<string | undefined> = fc.oneof(
    fc.constantFrom(
      undefined,
      'Bearer',
      'bearer sck_',
      `Bearer sck_${'A'.repeat(32)}`,
      `Bearer ${credentials.readOnlyKey}`,
      `Bearer ${credentials.foreignKey}`,
      `Bearer ${credentials.expiredToken}`,
      `Bearer ${credentials.algNoneToken}`,
      `Bearer ${credentials.tamperedToken}`,
      `Bearer ${credentials.operator}`,
      `Basic ${btoa('a:b')}`,
      'Basic !!!',
      `Bearer ${credentials.adminKey} extra`,
      `Bearer eyJhbGciOiJIUzI1NiJ9.e30.${'x'.repeat(43)}`,
      'Bearer a.b.c',
      `Bearer ${'x'.repeat(10_000)}`,
    ),
    badHeaderValue.map((value) => `Bearer ${value}`),
    badHeaderValue,
  );

  function pathArbitrary(op: DocumentedOperation, valid: boolean): fc.Arbitrary<string> {
    const params: any[] = (op.operation.parameters ?? []).filter((p: any) => p.in === 'path');
    if (params.length === 0) return fc.constant(op.path);
    const resource = resourceOf(op.path);
    // The fuzz's own credentials are never revoked or rotated: later requests need them.
    const usable = () => idsOf(ids, resource).filter((id) => op.method === 'get' || !protectedIds.has(id));
    const real = pick(usable, fc.uuid());
    const hostile = fc.oneof(
      pick(() => idsOf(foreignIds, resource), fc.uuid()),
      fc.uuid(),
      // Not empty, `.` or `..`: those name another route (`/v1/units/` is the list), not a bad id.
      nastyString.filter((s) => !['', '.', '..'].includes(s)).map((s) => percentEncode(withinUrl(s))),
      fc.constantFrom('%00', '%2F', '%ZZ', '%C0%AE', 'null', '-1', '...'),
    );
    const value = valid ? real : hostile;
    return fc.tuple(...params.map(() => value)).map((values) =>
      params.reduce((path, param, i) => path.replace(`{${param.name}}`, values[i]!), op.path as string),
    );
  }

  function queryArbitrary(op: DocumentedOperation, valid: boolean): fc.Arbitrary<[string, string][]> {
    const params: any[] = (op.operation.parameters ?? []).filter((p: any) => p.in === 'query');
    const entries = params.map((param) => {
      const schema = resolve(param.schema ?? {}, document) as JsonSchema;
      const good = arbitraryFor(schema, context, param.name).map((v) => (v === undefined ? undefined : String(v)));
      const value = valid
        ? good
        : fc.oneof(
            good,
            nastyString.map(withinUrl),
            nastyNumber.map(String),
            param.name === 'cursor' ? badCursor : fc.constant('x'),
            fc.constantFrom('', '[]', '{}', 'true', '1,2'),
          );
      return (param.required ? value : fc.option(value, { nil: undefined, freq: 2 })).map((v) => (v === undefined ? [] : [[param.name, v]]));
    });
    const extras: fc.Arbitrary<[string, string][]> = valid
      ? fc.constant<[string, string][]>([])
      : fc.oneof(
          fc.constant<[string, string][]>([]),
          fc.tuple(fc.string({ maxLength: 30 }), nastyString.map(withinUrl)).map(([k, v]) => [[k || 'unknown', v]] as [string, string][]),
          params.length > 0
            ? fc.tuple(fc.constantFrom(...params.map((p) => p.name as string)), fc.string(), fc.string()).map(
                ([k, a, b]) => [[k, a], [k, b]] as [string, string][],
              )
            : fc.constant<[string, string][]>([]),
        );
    return fc.tuple(fc.tuple(...entries), extras).map(([parts, extra]) => [...(parts.flat() as [string, string][]), ...extra]);
  }

  function headersArbitrary(op: DocumentedOperation, valid: boolean): fc.Arbitrary<Record<string, string>> {
    const params: any[] = (op.operation.parameters ?? []).filter((p: any) => p.in === 'header');
    // A few shared keys, so some requests replay or reuse a key.
    const goodKey = fc.oneof(fc.uuid(), fc.integer({ min: 1, max: 5 }).map((n) => `fuzz-key-${n}`));
    const value = (name: string) => (valid ? (/idempotency/i.test(name) ? goodKey : fc.string({ maxLength: 30 })) : badHeaderValue);
    return fc
      .tuple(...params.map((param) => fc.option(value(param.name), { nil: undefined, freq: 2 }).map((v) => [param.name, v] as const)))
      .map((pairs) => Object.fromEntries(pairs.filter(([, v]) => v !== undefined)) as Record<string, string>);
  }

  function bodyArbitrary(op: DocumentedOperation, valid: boolean): fc.Arbitrary<{ contentType?: string; body?: string }> {
    const content = op.operation.requestBody?.content as Record<string, { schema: JsonSchema }> | undefined;
    // fetch sends no body with GET.
    if (op.method === 'get') return fc.constant({});
    if (!content) {
      return valid ? fc.constant({}) : fc.oneof(fc.constant({}), junk.map((v) => ({ contentType: 'application/json', body: JSON.stringify(v) ?? '' })));
    }
    const [mediaType, { schema }] = Object.entries(content)[0]!;
    const good = arbitraryFor(schema, context);
    if (mediaType === 'application/x-www-form-urlencoded') {
      const form = (value: unknown) =>
        value !== null && typeof value === 'object'
          ? new URLSearchParams(Object.entries(value).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : String(JSON.stringify(v))])).toString()
          : String(value);
      return valid
        ? good.map((v) => ({ contentType: mediaType, body: form(v) }))
        : fc.oneof(
            good.chain(mutateBody).map((m) => ({ contentType: mediaType, body: 'raw' in m ? m.raw : form(m.json) })),
            good.map((v) => ({ contentType: 'application/json', body: JSON.stringify(v) })),
          );
    }
    if (valid) return good.map((v) => ({ contentType: mediaType, body: JSON.stringify(v) }));
    return fc.oneof(
      { weight: 6, arbitrary: good.chain(mutateBody).map((m) => ({ contentType: mediaType, body: 'raw' in m ? m.raw : (JSON.stringify(m.json) ?? '') })) },
      { weight: 1, arbitrary: fc.constant({}) },
      { weight: 1, arbitrary: fc.tuple(good, badContentType).map(([v, contentType]) => ({ contentType, body: JSON.stringify(v) })) },
      { weight: 1, arbitrary: good.map((v) => ({ body: JSON.stringify(v) })) },
      { weight: 1, arbitrary: fc.constant({ contentType: mediaType, body: `"${'a'.repeat(1_100_000)}"` }) },
    );
  }

  const PARTS = ['authorization', 'path', 'query', 'headers', 'accept', 'body'] as const;

  function requestArbitrary(op: DocumentedOperation): fc.Arbitrary<Omit<FuzzRequest, 'index'>> {
    return fc
      .constantFrom('valid', 'valid', 'valid', 'valid', ...PARTS)
      .chain((mutation) => {
        const bent = (part: string) => mutation === part;
        return fc
          .record({
            authorization: bent('authorization') ? badAuthorization : credentialFor(op),
            path: pathArbitrary(op, !bent('path')),
            query: queryArbitrary(op, !bent('query')),
            headers: headersArbitrary(op, !bent('headers')),
            accept: bent('accept') ? badAccept : fc.constantFrom(undefined, 'application/json', '*/*'),
            body: bodyArbitrary(op, !bent('body')),
          })
          .map(({ authorization, path, query, headers, accept, body }) => {
            const all: Record<string, string> = { ...headers };
            if (authorization !== undefined) all.Authorization = authorization;
            if (accept !== undefined) all.Accept = accept;
            if (body.contentType !== undefined) all['Content-Type'] = body.contentType;
            const search = new URLSearchParams(query as unknown as [string, string][]).toString();
            return {
              operation: `${op.method.toUpperCase()} ${op.path}`,
              mutation,
              method: op.method.toUpperCase(),
              url: `${baseUrl}${path}${search ? `?${search}` : ''}`,
              headers: all,
              ...(body.body !== undefined ? { body: body.body } : {}),
            };
          });
      });
  }

  const operations = operationsOf(document);
  const arbitrary = fc.constantFrom(...operations).chain((op) => requestArbitrary(op).map((request) => ({ op, request })));
  const check = createOracle(document);

  /** Files ids and cursors from a 2xx JSON answer, so later requests can aim at them. */
  function harvest(op: DocumentedOperation, text: string) {
    let body: any;
    try {
      body = JSON.parse(text);
    } catch {
      return;
    }
    const resource = resourceOf(op.path);
    const found = [body?.id, ...(Array.isArray(body?.data) ? body.data.map((item: any) => item?.id) : []), ...(Array.isArray(body?.ids) ? body.ids : [])];
    const set = ids.get(resource) ?? new Set<string>();
    for (const id of found) if (typeof id === 'string' && set.size < 500) set.add(id);
    ids.set(resource, set);
    if (typeof body?.nextCursor === 'string' && cursors.size < 100) cursors.add(body.nextCursor);
  }

  /** Statuses per operation, valid and bent requests apart: shows whether valid ones reach the handlers. */
  const statuses = new Map<string, Map<number, number>>();

  async function send(index: number, seed: number): Promise<Failure | undefined> {
    const { op, request: generated } = fc.sample(arbitrary, { seed: (seed + index) | 0, numRuns: 1 })[0]!;
    const request: FuzzRequest = { index, ...generated };
    let response: Response | undefined;
    let text = '';
    let failure = '';
    // A keep-alive connection the server closed as it was reused fails the request; clients retry that.
    for (let attempt = 0; attempt < 3 && !response; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      try {
        const answer = await fetch(request.url, {
          method: request.method,
          headers: request.headers,
          body: request.body,
          signal: AbortSignal.timeout(30_000),
        });
        text = await answer.text();
        response = answer;
      } catch (error) {
        const { message, cause } = error as Error;
        failure = `${message}: ${cause instanceof Error ? cause.message : ''}`;
      }
    }
    if (!response) return { request, status: 0, problem: `no answer: ${failure}` };
    const row = `${request.operation} ${request.mutation === 'valid' ? 'valid' : 'bent'}`;
    const counts = statuses.get(row) ?? new Map<number, number>();
    statuses.set(row, counts.set(response.status, (counts.get(response.status) ?? 0) + 1));
    if (process.env.FUZZ_DEBUG && request.mutation === 'valid' && response.status >= 400) {
      console.log(`${request.operation} ${response.status} ${text.slice(0, 300)} ← ${request.body?.slice(0, 300) ?? request.url}`);
    }
    if (response.status < 300) harvest(op, text);
    const problem = check(op, response, text);
    return problem ? { request, status: response.status, problem } : undefined;
  }

  return { operations, send, statuses };
}

/** Sends `runs` requests, `concurrency` at a time; every failure, and the status counts per operation. */
export async function runFuzz(options: {
  document: any;
  fixtures: Fixtures;
  baseUrl: string;
  seed: number;
  runs: number;
  concurrency?: number;
}): Promise<{ failures: Failure[]; operations: number; statuses: Map<string, Map<number, number>> }> {
  const { document, fixtures, baseUrl, seed, runs, concurrency = 6 } = options;
  const fuzzer = createFuzzer(document, fixtures, baseUrl);
  const failures: Failure[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < runs) {
        const failure = await fuzzer.send(next++, seed);
        if (failure) failures.push(failure);
      }
    }),
  );
  return { failures, operations: fuzzer.operations.length, statuses: fuzzer.statuses };
}

/** `GET /v1/units valid  200×41 400×12 …`, one line per operation and kind of request. */
export function describeStatuses(statuses: Map<string, Map<number, number>>): string {
  return [...statuses.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([operation, counts]) => `${operation.padEnd(52)} ${[...counts.entries()].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(' ')}`)
    .join('\n');
}

/** One line per kind of failure (operation + first words of the problem), with its smallest request. */
export function describeFailures(failures: Failure[], seed: number): string {
  const groups = new Map<string, Failure[]>();
  for (const failure of failures) {
    const key = `${failure.request.operation} | ${failure.problem.slice(0, 80)}`;
    groups.set(key, [...(groups.get(key) ?? []), failure]);
  }
  return [...groups.entries()]
    .map(([key, group]) => {
      const smallest = group.reduce((a, b) => ((a.request.body?.length ?? 0) + a.request.url.length <= (b.request.body?.length ?? 0) + b.request.url.length ? a : b));
      const { request } = smallest;
      const shorten = (text: string) => (text.length > 400 ? `${text.slice(0, 400)}… (${text.length} chars)` : text);
      const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, shorten(value)]));
      const body = request.body === undefined ? undefined : shorten(request.body);
      return [
        `✗ ${key} ×${group.length}`,
        `  ${smallest.problem}`,
        `  reproduce (FUZZ_SEED=${seed}, request ${request.index}, ${request.mutation}): ${JSON.stringify({ method: request.method, url: shorten(request.url), headers, body })}`,
      ].join('\n');
    })
    .join('\n');
}
