-- Grants for the tables of 0005; their row-level security policies do the rest.
GRANT SELECT, INSERT, UPDATE, DELETE ON targets TO service_culture_app;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON job_runs TO service_culture_app;--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON benchmark_snapshots, benchmark_cohort_stats, benchmark_positions TO service_culture_app;--> statement-breakpoint

-- The benchmark job must know who takes part before it reads anyone's rollups, and row-level
-- security shows it no tenant. This is the only cross-tenant read it gets: the opted-in tenants'
-- ids and cohorts, nothing else; it then reads each tenant's rollups with that tenant set.
CREATE FUNCTION benchmark_participants()
RETURNS TABLE (tenant_id uuid, industry industry, size_band size_band, region char(2))
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT id, industry, size_band, region FROM tenants WHERE benchmark_opt_in ORDER BY id
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION benchmark_participants() FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION benchmark_participants() TO service_culture_app;
