/**
 * `npm run db:migrate`: applies db/migrations to MIGRATION_DATABASE_URL (or DATABASE_URL), e.g. a
 * Neon database before a deploy. `npm start` and the tests migrate their local databases themselves.
 */
import { applyMigrations } from './lib/migrate.ts';

const url = process.env.MIGRATION_DATABASE_URL ?? process.env.DATABASE_URL;
if (!url) {
  console.error('Set MIGRATION_DATABASE_URL (or DATABASE_URL) to the database to migrate.');
  process.exit(2);
}
await applyMigrations(url);
console.log('migrations applied');
