-- Snapshots written before the benchmark Workflow were published as they were written.
UPDATE benchmark_snapshots SET published_at = computed_at WHERE published_at IS NULL;--> statement-breakpoint
-- Publishing sets published_at; the job updates nothing else of a snapshot.
GRANT UPDATE (published_at) ON benchmark_snapshots TO service_culture_app;--> statement-breakpoint
-- A step's row is written once, with its effect; progress reads them back.
GRANT SELECT, INSERT ON job_run_steps TO service_culture_app;
