-- Snapshots computed before issue 14 hold exact quantiles of as few as 5 organizations (from which
-- a tenant solved its peers' values) and positions without the cohort they were ranked in. Drop
-- them: benchmark reads answer 404 "not computed yet" until the next daily run (or the operator's
-- POST /v1/admin/jobs/benchmarks) publishes perturbed ones, and the next migration can add the
-- positions' frozen cohort as NOT NULL. Stats and positions cascade.
DELETE FROM "benchmark_snapshots";
