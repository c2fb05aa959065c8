import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep, type WorkflowStepConfig } from 'cloudflare:workers';
import { NonRetryableError } from 'cloudflare:workflows';
import type { Env } from '../env.ts';
import type { BenchmarkRunParams } from '../jobs/benchmarks.ts';

/** Cloudflare's cap on what one step may return (the engine stores it): 1 MiB. */
export const MAX_STEP_RESULT_BYTES = 1024 * 1024;

/**
 * The benchmark job as a Workflow (`BENCHMARK_WORKFLOW`); worker/jobs/benchmarks.ts has the steps.
 * Every step's result passes a size guard: one over the cap fails the run at once instead of
 * being retried into the same refusal.
 */
export class BenchmarkWorkflow extends WorkflowEntrypoint<Env, BenchmarkRunParams> {
  override async run(event: Readonly<WorkflowEvent<BenchmarkRunParams>>, step: WorkflowStep): Promise<unknown> {
    // Loaded here, not at the top: the entry exports this class, and the job's modules would otherwise be
    // evaluated at every worker's startup (index.ts).
    const { runBenchmarkWorkflow } = await import('../jobs/benchmarks.ts');
    return runBenchmarkWorkflow(this.env, event.payload, {
      do: <T>(name: string, config: WorkflowStepConfig, callback: (ctx: { attempt: number }) => Promise<T>) =>
        // Step results are plain JSON data (rows, numbers): what the engine can store.
        step.do(name, config, async (ctx) => guardStepResult(name, await callback(ctx)) as Rpc.Serializable<T>) as Promise<T>,
      fatal: (message) => new NonRetryableError(message),
    });
  }
}

function guardStepResult<T>(name: string, result: T): T {
  const bytes = new TextEncoder().encode(JSON.stringify(result) ?? '').byteLength;
  if (bytes > MAX_STEP_RESULT_BYTES) throw new NonRetryableError(`step "${name}" returned ${bytes} bytes, over the ${MAX_STEP_RESULT_BYTES}-byte cap of a step result`);
  return result;
}
