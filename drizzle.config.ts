import { defineConfig } from 'drizzle-kit';

// `generate` needs no database; `migrate` is done by scripts/migrate.ts, which knows the local stack.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema.ts',
  out: './db/migrations',
  casing: 'snake_case',
});
