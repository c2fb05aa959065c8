-- The app role records tree history and reads it; rows are never changed or deleted (a unit's
-- removal cascades as the owner).
GRANT SELECT, INSERT ON unit_parent_history TO service_culture_app;--> statement-breakpoint
-- Today's tree as the first version of every existing unit, dated at its creation.
INSERT INTO unit_parent_history (tenant_id, unit_id, parent_id, valid_from)
  SELECT tenant_id, id, parent_id, created_at FROM units;
