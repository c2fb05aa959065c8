/**
 * What the examples share: a client configured from the environment, finding-or-creating a unit by the
 * caller's own id, and an exit code that says whether it worked.
 *
 *   SC_API_URL        default http://127.0.0.1:8787 (`npm start`)
 *   SC_API_KEY        default: the demo tenant's admin key that `npm start` writes to .local/demo-api-key
 *   SC_CLIENT_ID, SC_CLIENT_SECRET   a partner client instead of an API key
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type ServiceCultureClient, unwrap } from '../openapi/client/index.ts';

const DEMO_KEY_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../.local/demo-api-key');

export function clientFromEnv(): ServiceCultureClient {
  const baseUrl = process.env.SC_API_URL ?? 'http://127.0.0.1:8787';
  const { SC_CLIENT_ID: clientId, SC_CLIENT_SECRET: clientSecret } = process.env;
  if (clientId && clientSecret) return createClient({ baseUrl, clientCredentials: { clientId, clientSecret } });
  const apiKey = process.env.SC_API_KEY ?? (existsSync(DEMO_KEY_FILE) ? readFileSync(DEMO_KEY_FILE, 'utf8').trim() : undefined);
  if (!apiKey) throw new Error('No credentials: set SC_API_KEY (or SC_CLIENT_ID and SC_CLIENT_SECRET), or run `npm start` first.');
  return createClient({ baseUrl, apiKey });
}

/** The unit whose `externalRef` is `ref`, created (needs the admin scope) when the tenant has none yet. */
export async function unitByRef(api: ServiceCultureClient, ref: string, name: string, kind: 'touchpoint' | 'internal-supplier') {
  for await (const unit of api.paginate('/v1/units', { query: { limit: 100 } })) if (unit.externalRef === ref) return unit;
  const created = unwrap(await api.POST('/v1/units', { body: { name, kind, externalRef: ref } }));
  console.log(`created unit "${created.name}" (${created.id})`);
  return created;
}

/** Runs `main`, printing a failure and exiting non-zero when it throws. */
export function run(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(`failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
