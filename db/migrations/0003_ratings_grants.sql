-- Grants for the tables of 0002; row-level security policies there do the rest.
GRANT SELECT, INSERT, UPDATE, DELETE ON units, external_ratings, internal_ratings, external_rollups, internal_rollups, idempotency_keys TO service_culture_app;
