-- Grants for the tables of 0008; their row-level security policies do the rest.
GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_endpoints, webhook_events, webhook_deliveries TO service_culture_app;--> statement-breakpoint
GRANT SELECT, INSERT ON webhook_attempts TO service_culture_app;--> statement-breakpoint

-- The delivery job must find due deliveries before it knows their tenants, and row-level security
-- shows it none. This is its only cross-tenant access: it leases up to p_limit due deliveries of
-- enabled endpoints (next_attempt_at pushed p_lease_seconds ahead, so an overlapping run skips
-- them, and a crashed run's deliveries come due again) and returns only their ids and tenants; the
-- job then reads and updates each tenant's rows with that tenant set. SKIP LOCKED: two concurrent
-- runs never wait for, or take, each other's rows.
CREATE FUNCTION claim_webhook_deliveries(p_now timestamptz, p_limit integer, p_lease_seconds integer)
RETURNS TABLE (delivery_id uuid, tenant_id uuid)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  UPDATE webhook_deliveries AS d
    SET next_attempt_at = p_now + make_interval(secs => p_lease_seconds)
    FROM (
      SELECT due.id FROM webhook_deliveries AS due
        JOIN webhook_endpoints AS e ON e.tenant_id = due.tenant_id AND e.id = due.endpoint_id
        WHERE due.status = 'pending' AND due.next_attempt_at <= p_now AND e.disabled_at IS NULL
        ORDER BY due.next_attempt_at
        LIMIT least(p_limit, 100)
        FOR UPDATE OF due SKIP LOCKED
    ) AS claimed
    WHERE d.id = claimed.id
    RETURNING d.id, d.tenant_id
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION claim_webhook_deliveries(timestamptz, integer, integer) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION claim_webhook_deliveries(timestamptz, integer, integer) TO service_culture_app;
