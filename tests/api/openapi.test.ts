import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { OPENAPI_FILE, renderOpenApiDocument } from '../../scripts/openapi.ts';
import { api } from './helpers.ts';

interface Operation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  responses: Record<string, { content?: Record<string, unknown> }>;
}

const committed = await readFile(OPENAPI_FILE, 'utf8');
const document = JSON.parse(committed) as { openapi: string; paths: Record<string, Record<string, Operation>> };
const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, operation })),
);

describe('the committed OpenAPI document', () => {
  test('is what the code generates (run `npm run openapi` after changing routes)', () => {
    expect(committed).toBe(renderOpenApiDocument());
  });

  test('is what the worker serves at /openapi.json, byte for byte once compacted', async () => {
    const response = await api('/openapi.json');
    expect(response.status).toBe(200);
    // Text, not parsed JSON: key order counts too. The bundle's zod is worker/zod/index.ts, the
    // generator's here is the real one; they must not tell.
    expect(await response.text()).toBe(JSON.stringify(document));
  });

  test('is OpenAPI 3.1', () => {
    expect(document.openapi).toBe('3.1.0');
  });

  test.each(operations)('$name has an operationId, summary, tag, security and its problem responses', ({ operation }) => {
    expect(operation.operationId).toMatch(/^[a-z][A-Za-z]+$/);
    expect(operation.summary).toBeTruthy();
    expect(operation.tags?.length).toBeGreaterThan(0);
    expect(Array.isArray(operation.security)).toBe(true);
    const problems = Object.entries(operation.responses).filter(([status]) => Number(status) >= 400);
    expect(problems.length).toBeGreaterThan(0);
    // The OAuth token endpoint's 400 and 401 are RFC 6749 §5.2 JSON, which OAuth clients expect.
    const mediaType = (status: string) =>
      operation.operationId === 'issueAccessToken' && ['400', '401'].includes(status) ? 'application/json' : 'application/problem+json';
    for (const [status, response] of problems) expect(Object.keys(response.content ?? {})).toEqual([mediaType(status)]);
    if (operation.security!.length > 0) expect(Object.keys(operation.responses)).toContain('401');
  });

  test('operationIds are unique', () => {
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

test('/docs serves the API reference for the document', async () => {
  const response = await api('/docs');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  expect(await response.text()).toContain('/openapi.json');
});
