-- The daily target evaluation must know which tenants have targets before it reads any, and
-- row-level security shows it none. As with benchmark_participants(), this is its only cross-tenant
-- read: tenant ids, nothing else; it then reads each tenant's targets and totals with that tenant set.
CREATE FUNCTION tenants_with_targets()
RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT DISTINCT tenant_id FROM targets ORDER BY tenant_id
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION tenants_with_targets() FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION tenants_with_targets() TO service_culture_app;
