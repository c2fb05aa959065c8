-- The benchmark job (and the daily target evaluation) read many tenants' totals per period. With
-- row-level security that took one statement per tenant, period and side, each after its own
-- set_config: about 1,750 statements for the 245 tenants of the reference pool, run one after the
-- other. These functions read a whole chunk of tenants in one statement, grouped by tenant and period.
-- They hand out sums per tenant and period only (no unit, day or customer kind), only for the
-- tenants the job may read (benchmark participants, or tenants with targets), and refuse to run when
-- a tenant is set: a tenant request's batch always has one, so no tenant can read its peers' totals.

-- The sums of every rollup column that is not part of the primary key, per tenant and period
-- (periods: [starts[i], ends[i]), numbered from 0), as jsonb keyed by column name. The columns come
-- from the catalog, so a measure added to the registry (a new rollup column) needs no change here.
-- Not granted to the app: it takes any tenant ids, and the wrappers below say whose.
CREATE FUNCTION rollup_period_totals(p_tenant_ids uuid[], p_starts date[], p_ends date[])
RETURNS TABLE (tenant_id uuid, period integer, external jsonb, internal jsonb)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  v_sums text[];
BEGIN
  IF nullif(current_setting('app.tenant_id', true), '') IS NOT NULL THEN
    RAISE EXCEPTION 'cross-tenant totals are read with no tenant set' USING ERRCODE = 'insufficient_privilege';
  END IF;
  SELECT array_agg((
    SELECT string_agg(format('sum(r.%1$I) AS %1$I', a.attname), ', ' ORDER BY a.attnum)
      FROM pg_attribute a
     WHERE a.attrelid = t.rel AND a.attnum > 0 AND NOT a.attisdropped
       AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = t.rel AND i.indisprimary AND a.attnum = ANY (i.indkey))
  ) ORDER BY t.ord) INTO v_sums
    FROM unnest(ARRAY['external_rollups'::regclass, 'internal_rollups'::regclass]) WITH ORDINALITY AS t(rel, ord);
  RETURN QUERY EXECUTE format($query$
    WITH periods AS (
      SELECT (n - 1)::integer AS period, s, e FROM unnest($2, $3) WITH ORDINALITY AS p(s, e, n)
    ), external_totals AS (
      SELECT r.tenant_id, p.period, %1$s FROM external_rollups r JOIN periods p ON r.day >= p.s AND r.day < p.e
       WHERE r.tenant_id = ANY ($1) GROUP BY 1, 2
    ), internal_totals AS (
      SELECT r.tenant_id, p.period, %2$s FROM internal_rollups r JOIN periods p ON r.day >= p.s AND r.day < p.e
       WHERE r.tenant_id = ANY ($1) GROUP BY 1, 2
    )
    SELECT tenant_id, period, to_jsonb(x) - 'tenant_id' - 'period', to_jsonb(i) - 'tenant_id' - 'period'
      FROM external_totals x FULL JOIN internal_totals i USING (tenant_id, period)
  $query$, v_sums[1], v_sums[2]) USING p_tenant_ids, p_starts, p_ends;
END
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION rollup_period_totals(uuid[], date[], date[]) FROM PUBLIC;--> statement-breakpoint

-- The benchmark job's read: only the opted-in among the tenants asked for.
CREATE FUNCTION benchmark_totals(p_tenant_ids uuid[], p_starts date[], p_ends date[])
RETURNS TABLE (tenant_id uuid, period integer, external jsonb, internal jsonb)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT * FROM rollup_period_totals(ARRAY(SELECT id FROM tenants WHERE id = ANY (p_tenant_ids) AND benchmark_opt_in), p_starts, p_ends)
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION benchmark_totals(uuid[], date[], date[]) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION benchmark_totals(uuid[], date[], date[]) TO service_culture_app;--> statement-breakpoint

-- The daily target evaluation's read: only the tenants asked for that have targets.
CREATE FUNCTION target_totals(p_tenant_ids uuid[], p_starts date[], p_ends date[])
RETURNS TABLE (tenant_id uuid, period integer, external jsonb, internal jsonb)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT * FROM rollup_period_totals(ARRAY(SELECT DISTINCT tenant_id FROM targets WHERE tenant_id = ANY (p_tenant_ids)), p_starts, p_ends)
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION target_totals(uuid[], date[], date[]) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION target_totals(uuid[], date[], date[]) TO service_culture_app;
--> statement-breakpoint

-- Staging writes each ranked tenant's positions into the snapshot the job is computing. With row-level
-- security that was set_config plus an insert per tenant; this writes a chunk of tenants in one
-- statement ({"<tenant id>": [[measure, cohort kind, value, percentile rank, cohort value], ...]}), with
-- no tenant set only, only into a snapshot not yet published, and only for opted-in tenants.
CREATE FUNCTION stage_benchmark_positions(p_snapshot_id uuid, p_positions jsonb)
RETURNS integer LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  v_count integer;
BEGIN
  IF nullif(current_setting('app.tenant_id', true), '') IS NOT NULL THEN
    RAISE EXCEPTION 'cross-tenant positions are written with no tenant set' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM benchmark_snapshots WHERE id = p_snapshot_id AND published_at IS NULL) THEN
    RAISE EXCEPTION 'positions are staged only into an unpublished snapshot' USING ERRCODE = 'insufficient_privilege';
  END IF;
  INSERT INTO benchmark_positions (snapshot_id, tenant_id, measure, cohort_kind, value, percentile_rank, cohort_value)
  SELECT p_snapshot_id, t.id, (p->>0)::measure, (p->>1)::cohort_kind, (p->>2)::float8, (p->>3)::float8, p->>4
    FROM jsonb_each(p_positions) AS e(tenant, positions)
    JOIN tenants t ON t.id = e.tenant::uuid AND t.benchmark_opt_in
    CROSS JOIN jsonb_array_elements(e.positions) AS p;
  GET DIAGNOSTICS v_count = ROW_COUNT;
  RETURN v_count;
END
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION stage_benchmark_positions(uuid, jsonb) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION stage_benchmark_positions(uuid, jsonb) TO service_culture_app;
