import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { renderHttpCollection } from '../../scripts/lib/http-collection.ts';

const documentText = readFileSync('openapi/openapi.json', 'utf8');

test('openapi/requests.http is generated from the committed document (run `npm run openapi`)', () => {
  expect(readFileSync('openapi/requests.http', 'utf8')).toBe(renderHttpCollection(documentText));
});

test('it has one request per operation', () => {
  const collection = readFileSync('openapi/requests.http', 'utf8');
  const operations = Object.values(JSON.parse(documentText).paths as Record<string, Record<string, { operationId: string }>>).flatMap((ops) =>
    Object.values(ops).map((op) => op.operationId),
  );
  for (const id of operations) expect(collection).toContain(`### ${id}:`);
});
