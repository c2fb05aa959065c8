-- A tenant reads and stores its own plan; versions are bumped only by the triggers below (as the owner).
GRANT SELECT, INSERT, UPDATE (month, plan_version, plan) ON disclosure_plans TO service_culture_app;--> statement-breakpoint
-- Statement-level, so a pool load of millions of rollup rows bumps each tenant once per statement.
CREATE FUNCTION bump_disclosure_version_rollups() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  -- Closed months only: ratings of the current month change no decision until the month ends.
  INSERT INTO disclosure_plans (tenant_id, version)
    SELECT DISTINCT tenant_id, 1 FROM changed WHERE day < date_trunc('month', now())::date
    ON CONFLICT (tenant_id) DO UPDATE SET version = disclosure_plans.version + 1;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE FUNCTION bump_disclosure_version_tree() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  INSERT INTO disclosure_plans (tenant_id, version)
    SELECT DISTINCT tenant_id, 1 FROM changed
    ON CONFLICT (tenant_id) DO UPDATE SET version = disclosure_plans.version + 1;
  RETURN NULL;
END
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION bump_disclosure_version_rollups() FROM PUBLIC;--> statement-breakpoint
REVOKE ALL ON FUNCTION bump_disclosure_version_tree() FROM PUBLIC;--> statement-breakpoint
CREATE TRIGGER internal_rollups_inserted_disclosure AFTER INSERT ON internal_rollups
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_disclosure_version_rollups();--> statement-breakpoint
CREATE TRIGGER internal_rollups_updated_disclosure AFTER UPDATE ON internal_rollups
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_disclosure_version_rollups();--> statement-breakpoint
CREATE TRIGGER unit_parent_history_disclosure AFTER INSERT ON unit_parent_history
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_disclosure_version_tree();--> statement-breakpoint
-- Every tenant with closed internal data or a tree starts without a current plan.
INSERT INTO disclosure_plans (tenant_id, version)
  SELECT DISTINCT tenant_id, 1 FROM internal_rollups
  UNION SELECT DISTINCT tenant_id, 1 FROM unit_parent_history
  ON CONFLICT (tenant_id) DO NOTHING;
