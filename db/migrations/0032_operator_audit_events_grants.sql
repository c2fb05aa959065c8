-- The operator's log is append-only like the tenants': the app role inserts and reads (with no tenant
-- set, the table's policy), and a trigger refuses updates, deletes and truncation from anyone.
GRANT SELECT, INSERT ON operator_audit_events TO service_culture_app;--> statement-breakpoint
CREATE OR REPLACE FUNCTION refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$;--> statement-breakpoint
CREATE TRIGGER operator_audit_events_append_only BEFORE UPDATE OR DELETE ON operator_audit_events
  FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();--> statement-breakpoint
CREATE TRIGGER operator_audit_events_no_truncate BEFORE TRUNCATE ON operator_audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change();
