import { readFile } from 'node:fs/promises';
import { expect, test } from 'vitest';
import { CLIENT_SCHEMA_FILE, OPENAPI_FILE, renderClientSchema } from '../../scripts/openapi.ts';

// tests/api/openapi.test.ts keeps openapi.json equal to the code; this keeps the client's types equal to openapi.json.
test("the typed client's schema.d.ts is generated from the committed document (run `npm run openapi`)", async () => {
  const [document, committed] = await Promise.all([readFile(OPENAPI_FILE, 'utf8'), readFile(CLIENT_SCHEMA_FILE, 'utf8')]);
  expect(committed).toBe(await renderClientSchema(document));
});
