-- One round trip per request: a tenant request's first (or only) batch starts with this statement.
-- The credential names its tenant and its id (an API key carries both, an access token's claims say
-- them), so the statements after it are built before the database answers; this function checks the
-- credential is that tenant's, live, and holds what the route needs, then sets the transaction's tenant.
-- A refusal raises, which aborts the whole batch: SQLSTATE SC401 (message: unknown, revoked, expired)
-- or SC403 (message: scope, DETAIL the scopes held; grant, DETAIL the scopes beyond them).
-- p_needs (built by worker/domain/scopes.ts): {"grantsAll": scope, "anyOf": [...], "notBoth": [[...], [...]],
-- "grants": [...]}; without anyOf no scope is needed, without grants nothing is granted.
CREATE FUNCTION authenticate_request(
  p_kind text, p_tenant_id uuid, p_credential_id uuid, p_secret_hash text, p_token_scopes text[], p_needs jsonb
) RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  c record;
  held text[];
  excess text[];
  grants_all text := p_needs->>'grantsAll';
BEGIN
  IF p_kind = 'api_key' THEN
    SELECT id, scopes::text[] AS scopes, expires_at, revoked_at, last_used_at INTO c
      FROM api_keys WHERE id = p_credential_id AND tenant_id = p_tenant_id AND secret_hash = p_secret_hash;
  ELSE
    SELECT id, scopes::text[] AS scopes, NULL::timestamptz AS expires_at, revoked_at INTO c
      FROM partner_clients WHERE id = p_credential_id AND tenant_id = p_tenant_id;
  END IF;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown' USING ERRCODE = 'SC401';
  END IF;
  IF c.revoked_at IS NOT NULL THEN
    RAISE EXCEPTION 'revoked' USING ERRCODE = 'SC401';
  END IF;
  IF c.expires_at IS NOT NULL AND c.expires_at <= now() THEN
    RAISE EXCEPTION 'expired' USING ERRCODE = 'SC401';
  END IF;
  IF p_kind = 'api_key' THEN
    held := c.scopes;
    -- At most one write a minute per key: the hot path stays a read.
    IF c.last_used_at IS NULL OR c.last_used_at < now() - interval '1 minute' THEN
      UPDATE api_keys SET last_used_at = now() WHERE id = c.id;
    END IF;
  ELSIF grants_all = ANY (c.scopes) THEN
    held := p_token_scopes;
  ELSE
    -- The token's scopes as the client holds them now: one taken from the client stops working at once.
    held := ARRAY(SELECT s FROM unnest(p_token_scopes) WITH ORDINALITY AS t(s, i) WHERE s = ANY (c.scopes) ORDER BY i);
  END IF;
  IF p_needs ? 'anyOf' AND (
    NOT (held && ARRAY(SELECT jsonb_array_elements_text(p_needs->'anyOf')))
    OR (held && ARRAY(SELECT jsonb_array_elements_text(p_needs->'notBoth'->0))
        AND held && ARRAY(SELECT jsonb_array_elements_text(p_needs->'notBoth'->1)))
  ) THEN
    RAISE EXCEPTION 'scope' USING ERRCODE = 'SC403', DETAIL = array_to_string(held, ', ');
  END IF;
  IF p_needs ? 'grants' AND NOT grants_all = ANY (held) THEN
    excess := ARRAY(SELECT s FROM jsonb_array_elements_text(p_needs->'grants') WITH ORDINALITY AS t(s, i) WHERE s <> ALL (held) ORDER BY i);
    IF cardinality(excess) > 0 THEN
      RAISE EXCEPTION 'grant' USING ERRCODE = 'SC403', DETAIL = array_to_string(excess, ', ');
    END IF;
  END IF;
  PERFORM set_config('app.tenant_id', p_tenant_id::text, true);
  RETURN jsonb_build_object('scopes', to_jsonb(held), 'tenant', (SELECT to_jsonb(t) FROM tenants t WHERE t.id = p_tenant_id));
END
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION authenticate_request(text, uuid, uuid, text, text[], jsonb) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION authenticate_request(text, uuid, uuid, text, text[], jsonb) TO service_culture_app;--> statement-breakpoint

-- The refusal of a revoked credential rolled its batch back, audit included: this records it, in a
-- round trip of its own that only that failure pays. The same checks as above decide what is recorded.
CREATE FUNCTION audit_refused_credential(
  p_kind text, p_tenant_id uuid, p_credential_id uuid, p_secret_hash text, p_event_id uuid, p_request_id text
) RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  INSERT INTO audit_events (id, tenant_id, action, actor_type, actor_id, target_id, request_id, details)
  SELECT p_event_id, tenant_id, 'credential.refused', p_kind::actor_type, id, id, p_request_id, jsonb_build_object('reason', 'revoked')
    FROM (
      SELECT id, tenant_id, revoked_at FROM api_keys
        WHERE p_kind = 'api_key' AND id = p_credential_id AND tenant_id = p_tenant_id AND secret_hash = p_secret_hash
      UNION ALL
      SELECT id, tenant_id, revoked_at FROM partner_clients
        WHERE p_kind = 'partner_client' AND id = p_credential_id AND tenant_id = p_tenant_id
    ) AS credential
    WHERE revoked_at IS NOT NULL;
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION audit_refused_credential(text, uuid, uuid, text, uuid, text) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION audit_refused_credential(text, uuid, uuid, text, uuid, text) TO service_culture_app;
