-- At most 20,000 units per tenant (MAX_UNITS_PER_TENANT in worker/db/units.ts): every report reads
-- the tenant's tree, and the disclosure rule plans over every unit (README, Limits). Checked once per
-- statement, after it, so a bulk insert counts once; the lock makes concurrent creates of one tenant
-- take turns, and the count after it (a new snapshot) sees what the other committed.
CREATE FUNCTION check_unit_limit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  v_tenant uuid;
BEGIN
  FOR v_tenant IN SELECT DISTINCT tenant_id FROM inserted LOOP
    PERFORM pg_advisory_xact_lock(hashtextextended('units.limit/' || v_tenant::text, 0));
    IF (SELECT count(*) FROM units WHERE tenant_id = v_tenant) > 20000 THEN
      RAISE EXCEPTION 'a tenant has at most 20000 units' USING ERRCODE = 'UL409';
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION check_unit_limit() FROM PUBLIC;--> statement-breakpoint
CREATE TRIGGER units_limit AFTER INSERT ON units
  REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION check_unit_limit();
