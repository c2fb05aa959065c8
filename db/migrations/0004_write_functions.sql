-- Idempotency-Key (Stripe semantics; IETF httpapi draft), claimed inside the write's own batch so
-- a write stays one round trip. Raises instead of returning, so a refused claim rolls the whole
-- batch back: IK409 while another request with the key is in flight (not waiting for it), IK200
-- when the key was used already (the caller then reads the record to replay or refuse it).
CREATE FUNCTION claim_idempotency_key(
  p_credential_id uuid, p_key text, p_fingerprint text, p_request_id text, p_status smallint, p_body jsonb
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_tenant uuid := nullif(current_setting('app.tenant_id', true), '')::uuid;
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtextextended(v_tenant::text || '/' || p_credential_id::text || '/' || p_key, 0)) THEN
    RAISE EXCEPTION 'idempotency key in use by a request in flight' USING ERRCODE = 'IK409';
  END IF;
  DELETE FROM idempotency_keys
    WHERE tenant_id = v_tenant AND credential_id = p_credential_id AND key = p_key AND expires_at <= now();
  INSERT INTO idempotency_keys
      (tenant_id, credential_id, key, request_fingerprint, request_id, response_status, response_body, expires_at)
    VALUES (v_tenant, p_credential_id, p_key, p_fingerprint, p_request_id, p_status, p_body, now() + interval '24 hours')
    ON CONFLICT DO NOTHING;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'idempotency key already used' USING ERRCODE = 'IK200';
  END IF;
END
$$;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION claim_idempotency_key(uuid, text, text, text, smallint, jsonb) TO service_culture_app;--> statement-breakpoint

-- Ratings may only go to the tenant's own (row-level security hides the others: UN404) units that
-- are not archived (UN409); DETAIL lists the offending unit ids as a JSON array. FOR SHARE keeps a
-- unit from being archived between this check and the insert.
CREATE FUNCTION assert_units_accept_ratings(p_unit_ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_missing uuid[];
  v_archived uuid[];
BEGIN
  SELECT array_agg(requested.unit_id) INTO v_missing
    FROM unnest(p_unit_ids) AS requested(unit_id)
    WHERE NOT EXISTS (SELECT 1 FROM units WHERE units.id = requested.unit_id);
  IF v_missing IS NOT NULL THEN
    RAISE EXCEPTION 'unknown units' USING ERRCODE = 'UN404', DETAIL = array_to_json(v_missing)::text;
  END IF;
  SELECT array_agg(locked.id) INTO v_archived
    FROM (SELECT id, archived_at FROM units WHERE id = ANY (p_unit_ids) FOR SHARE) AS locked
    WHERE locked.archived_at IS NOT NULL;
  IF v_archived IS NOT NULL THEN
    RAISE EXCEPTION 'archived units' USING ERRCODE = 'UN409', DETAIL = array_to_json(v_archived)::text;
  END IF;
END
$$;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION assert_units_accept_ratings(uuid[]) TO service_culture_app;
