import { inject } from 'vitest';

export const workerUrl = inject('workerUrl');
export const operatorToken = inject('operatorToken');

/** A request to the worker under test; `key` becomes the bearer token, `json` the body. */
export function api(path: string, init: RequestInit & { key?: string; json?: unknown } = {}): Promise<Response> {
  const { key, json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (key !== undefined) headers.set('Authorization', `Bearer ${key}`);
  if (json !== undefined) headers.set('Content-Type', 'application/json');
  return fetch(`${workerUrl}${path}`, { ...rest, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
}

export const validTenant = { name: 'Acme Insurance', industry: 'insurance', sizeBand: '250-999', region: 'ES' } as const;

export interface CreatedTenant {
  tenant: {
    id: string;
    name: string;
    industry: string;
    sizeBand: string;
    region: string;
    benchmarkOptIn: boolean;
    createdAt: string;
    updatedAt: string;
  };
  apiKey: { id: string; secret: string; displayPrefix: string; scopes: string[] };
}

/** A new tenant, through the operator route, with its admin key. */
export async function createTenant(overrides: Record<string, unknown> = {}): Promise<CreatedTenant> {
  const response = await api('/v1/tenants', { method: 'POST', key: operatorToken, json: { ...validTenant, ...overrides } });
  if (response.status !== 201) throw new Error(`createTenant: ${response.status} ${await response.text()}`);
  return (await response.json()) as CreatedTenant;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  errors?: { location: string; pointer: string; detail: string }[];
}

/** Asserts the RFC 9457 shape and returns the body. */
export async function problemOf(response: Response): Promise<Problem> {
  const contentType = response.headers.get('content-type');
  if (contentType !== 'application/problem+json') {
    throw new Error(`expected application/problem+json, got ${contentType}: ${await response.text()}`);
  }
  const body = (await response.json()) as Problem;
  for (const field of ['type', 'title', 'detail', 'instance'] as const) {
    if (typeof body[field] !== 'string' || body[field] === '') throw new Error(`problem lacks ${field}: ${JSON.stringify(body)}`);
  }
  if (body.status !== response.status) throw new Error(`problem status ${body.status} != ${response.status}`);
  if (body.instance !== response.headers.get('x-request-id')) throw new Error('problem instance is not the request id');
  return body;
}

/** Round trips the local Neon endpoint has seen (HTTP requests + WebSocket sessions). */
export async function roundTrips(): Promise<number> {
  const stats = (await (await fetch(`${inject('endpointUrl')}/_stats`)).json()) as { roundTrips: number };
  return stats.roundTrips;
}
