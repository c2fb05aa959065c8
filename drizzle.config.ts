import { defineConfig } from 'drizzle-kit';

// `generate` needs no database; migrations are applied by scripts/lib/migrate.ts as the owner role.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema.ts',
  out: './db/migrations',
  casing: 'snake_case',
  // The app role is declared in the schema, so its policies and the role itself are migrated.
  entities: { roles: true },
});
