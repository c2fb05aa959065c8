-- The outbox would grow forever. Events created before p_before whose deliveries are all finished
-- (succeeded or abandoned) are deleted with their deliveries and attempts (cascade), across
-- tenants, at most p_limit per call; returns how many. Only the daily job calls it.
CREATE FUNCTION prune_webhook_events(p_before timestamptz, p_limit integer)
RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  WITH pruned AS (
    DELETE FROM webhook_events WHERE id IN (
      SELECT e.id FROM webhook_events AS e
        WHERE e.created_at < p_before
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries AS d WHERE d.event_id = e.id AND d.status = 'pending')
        ORDER BY e.created_at
        LIMIT least(p_limit, 10000)
    )
    RETURNING 1
  )
  SELECT count(*)::integer FROM pruned
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION prune_webhook_events(timestamptz, integer) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION prune_webhook_events(timestamptz, integer) TO service_culture_app;
