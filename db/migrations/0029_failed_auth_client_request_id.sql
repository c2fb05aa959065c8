-- Issue 14: the audit rows of refused credentials kept the server's request id but not the client's
-- X-Request-Id, which every other audit row keeps apart in client_request_id (migration 0022). Each
-- function that writes such a row takes it as a last parameter, defaulting to NULL so a worker still
-- calling with the old arguments keeps working while a deploy rolls out.
DROP FUNCTION authenticate_api_key(text, uuid, text);--> statement-breakpoint
CREATE FUNCTION authenticate_api_key(p_secret_hash text, p_event_id uuid, p_request_id text, p_client_request_id text DEFAULT NULL)
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
    INSERT INTO audit_events (id, tenant_id, action, actor_type, actor_id, target_id, request_id, client_request_id, details)
      VALUES (p_event_id, k.tenant_id, 'credential.refused', 'api_key', k.id, k.id, p_request_id, p_client_request_id,
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
REVOKE ALL ON FUNCTION authenticate_api_key(text, uuid, text, text) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION authenticate_api_key(text, uuid, text, text) TO service_culture_app;--> statement-breakpoint

DROP FUNCTION authenticate_partner_client(uuid, text, uuid, text);--> statement-breakpoint
CREATE FUNCTION authenticate_partner_client(p_client_id uuid, p_secret_hash text, p_event_id uuid, p_request_id text, p_client_request_id text DEFAULT NULL)
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
    INSERT INTO audit_events (id, tenant_id, action, actor_type, actor_id, target_id, request_id, client_request_id, details)
      VALUES (p_event_id, c.tenant_id, 'credential.refused', 'partner_client', c.id, c.id, p_request_id, p_client_request_id,
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
REVOKE ALL ON FUNCTION authenticate_partner_client(uuid, text, uuid, text, text) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION authenticate_partner_client(uuid, text, uuid, text, text) TO service_culture_app;--> statement-breakpoint

DROP FUNCTION audit_refused_credential(text, uuid, uuid, text, uuid, text);--> statement-breakpoint
CREATE FUNCTION audit_refused_credential(
  p_kind text, p_tenant_id uuid, p_credential_id uuid, p_secret_hash text, p_event_id uuid, p_request_id text, p_client_request_id text DEFAULT NULL
) RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  INSERT INTO audit_events (id, tenant_id, action, actor_type, actor_id, target_id, request_id, client_request_id, details)
  SELECT p_event_id, tenant_id, 'credential.refused', p_kind::actor_type, id, id, p_request_id, p_client_request_id, jsonb_build_object('reason', 'revoked')
    FROM (
      SELECT id, tenant_id, revoked_at FROM api_keys
        WHERE p_kind = 'api_key' AND id = p_credential_id AND tenant_id = p_tenant_id AND secret_hash = p_secret_hash
      UNION ALL
      SELECT id, tenant_id, revoked_at FROM partner_clients
        WHERE p_kind = 'partner_client' AND id = p_credential_id AND tenant_id = p_tenant_id
    ) AS credential
    WHERE revoked_at IS NOT NULL;
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION audit_refused_credential(text, uuid, uuid, text, uuid, text, text) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION audit_refused_credential(text, uuid, uuid, text, uuid, text, text) TO service_culture_app;
