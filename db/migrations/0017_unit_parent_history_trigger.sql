-- The app role reads the tree's history; only this trigger writes it (as the owner), so every
-- writer of units records it in the same transaction and no one can rewrite it.
GRANT SELECT ON unit_parent_history TO service_culture_app;--> statement-breakpoint
CREATE FUNCTION record_unit_parent() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.parent_id IS DISTINCT FROM OLD.parent_id THEN
    -- A unit created and moved in one transaction: only where it ends up was ever visible.
    INSERT INTO unit_parent_history (tenant_id, unit_id, parent_id, valid_from)
      VALUES (NEW.tenant_id, NEW.id, NEW.parent_id, now())
      ON CONFLICT (tenant_id, unit_id, valid_from) DO UPDATE SET parent_id = excluded.parent_id;
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION record_unit_parent() FROM PUBLIC;--> statement-breakpoint
CREATE TRIGGER units_parent_history AFTER INSERT OR UPDATE OF parent_id ON units
  FOR EACH ROW EXECUTE FUNCTION record_unit_parent();--> statement-breakpoint
-- Today's tree as the first version of every existing unit, dated at its creation.
INSERT INTO unit_parent_history (tenant_id, unit_id, parent_id, valid_from)
  SELECT tenant_id, id, parent_id, created_at FROM units;
