-- The app role gets exactly what the API needs; row-level security policies (0000) do the rest.
-- New tables must be granted here explicitly, in their own migration.
GRANT USAGE ON SCHEMA public TO service_culture_app;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON tenants, api_keys, partner_clients TO service_culture_app;--> statement-breakpoint
GRANT SELECT, INSERT ON audit_events TO service_culture_app;--> statement-breakpoint

-- Append-only: not even the owner may rewrite history.
CREATE FUNCTION refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;--> statement-breakpoint
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();--> statement-breakpoint
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change();--> statement-breakpoint

-- Before authentication no tenant is known, and row-level security hides every credential. These two
-- functions are the only way across: they run as the owner (SECURITY DEFINER), look a credential up
-- by its secret's hash, and only when it is live set the transaction's tenant to the credential's, so
-- the statements after them in the same batch see that tenant's rows and no other's. A revoked
-- credential's use is audited here, in the same round trip.
CREATE FUNCTION authenticate_api_key(p_secret_hash text, p_event_id uuid, p_request_id text)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  k record;
BEGIN
  SELECT id, tenant_id, expires_at, revoked_at, last_used_at INTO k
    FROM api_keys WHERE secret_hash = p_secret_hash;
  IF NOT FOUND THEN
    RETURN 'unknown';
  END IF;
  IF k.revoked_at IS NOT NULL THEN
    INSERT INTO audit_events (id, tenant_id, action, actor_type, actor_id, target_id, request_id, details)
      VALUES (p_event_id, k.tenant_id, 'credential.refused', 'api_key', k.id, k.id, p_request_id,
              jsonb_build_object('reason', 'revoked'));
    RETURN 'revoked';
  END IF;
  IF k.expires_at IS NOT NULL AND k.expires_at <= now() THEN
    RETURN 'expired';
  END IF;
  -- At most one write a minute per key: the hot path stays a read.
  IF k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute' THEN
    UPDATE api_keys SET last_used_at = now() WHERE id = k.id;
  END IF;
  PERFORM set_config('app.tenant_id', k.tenant_id::text, true);
  RETURN 'active';
END
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION authenticate_api_key(text, uuid, text) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION authenticate_api_key(text, uuid, text) TO service_culture_app;--> statement-breakpoint

CREATE FUNCTION authenticate_partner_client(p_client_id uuid, p_secret_hash text, p_event_id uuid, p_request_id text)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  c record;
BEGIN
  SELECT id, tenant_id, secret_hash, revoked_at, last_used_at INTO c
    FROM partner_clients WHERE id = p_client_id;
  IF NOT FOUND OR c.secret_hash <> p_secret_hash THEN
    RETURN 'invalid';
  END IF;
  IF c.revoked_at IS NOT NULL THEN
    INSERT INTO audit_events (id, tenant_id, action, actor_type, actor_id, target_id, request_id, details)
      VALUES (p_event_id, c.tenant_id, 'credential.refused', 'partner_client', c.id, c.id, p_request_id,
              jsonb_build_object('reason', 'revoked'));
    RETURN 'revoked';
  END IF;
  IF c.last_used_at IS NULL OR c.last_used_at < now() - interval '1 minute' THEN
    UPDATE partner_clients SET last_used_at = now() WHERE id = c.id;
  END IF;
  PERFORM set_config('app.tenant_id', c.tenant_id::text, true);
  RETURN 'active';
END
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION authenticate_partner_client(uuid, text, uuid, text) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION authenticate_partner_client(uuid, text, uuid, text) TO service_culture_app;
