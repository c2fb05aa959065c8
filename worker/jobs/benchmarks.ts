import type { BatchItem } from 'drizzle-orm/batch';
import {
  countParticipants,
  deleteAbandonedSnapshots,
  emitPublishedEvents,
  publishSnapshots,
  readParticipants,
  readPeriodTotals,
  type StagedSnapshot,
  stagePositions,
  stageSnapshot,
} from '../db/benchmarks.ts';
import { createDatabase, type Database } from '../db/client.ts';
import { claimJobRun, createJobRun, finishJobRun, isStepDone, type JobRun, type JobRunRow, recordStep, runningJobRun, setJobRunTotals } from '../db/jobs.ts';
import { noiseKey } from '../domain/benchmark-noise.ts';
import { computeBenchmark, type Contribution, eligibleValues, lastCompletePeriods, type Participant, type Position, publishedValues } from '../domain/benchmarks.ts';
import { uuidv7 } from '../domain/ids.ts';
import type { Env } from '../env.ts';
import { dispatchWebhookDeliveries } from './webhooks.ts';

export const BENCHMARK_JOB = 'benchmarks';

/** What a Workflow instance of the job is created with; its instance id is the job run's id. */
export interface BenchmarkRunParams {
  jobRunId: string;
  /** ISO instant: the job computes the last complete month, quarter and 12 whole months before it. */
  now: string;
}

/** Participants per page of the cross-tenant read: about 90 bytes each in the step's result. */
const PARTICIPANT_PAGE = 2_000;
/** Tenants per compute step: their values (about 700 bytes each, both periods) are the step's result. */
const COMPUTE_CHUNK = 500;
/**
 * Tenants per totals read (one statement): it answers a row per tenant and period, about 1.5 KiB as
 * the endpoint sends it (every counter keyed by its column name), so 200 tenants × 3 periods is about
 * 900 KiB, well inside the 2 MiB a response may take. A compute step's reads go out together.
 */
const READ_CHUNK = 200;
/** Chunk steps in flight at once (compute, stage, events): independent of each other, each done once. */
const PARALLEL_STEPS = 4;
/** Tenants per staging step, one statement: at most 44 positions each, 4.5 KiB at most as sent, so under 700 KiB. */
const STAGE_CHUNK = 150;
/** Tenants per events step: an event each, with its tenant set, so a request stays far below 1 MiB. */
const EVENTS_CHUNK = 100;

export type StepConfig = {
  retries?: { limit: number; delay: string | number; backoff?: 'constant' | 'linear' | 'exponential' };
  timeout?: string | number;
};

/** The part of a Workflow's `step` the job uses, so this module stays free of `cloudflare:workers`. */
export interface Steps {
  do<T>(name: string, config: StepConfig, callback: (ctx: { attempt: number }) => Promise<T>): Promise<T>;
  /** An error the engine does not retry. */
  fatal(message: string): Error;
}

/** Claiming waits for the job's running run to end: a retry a second for up to 30 minutes. */
const CLAIM_STEP: StepConfig = { retries: { limit: 1_800, delay: '1 second', backoff: 'constant' } };
const WORK_STEP: StepConfig = { retries: { limit: 3, delay: '1 second', backoff: 'exponential' }, timeout: '5 minutes' };

/**
 * Records a queued run and starts the Workflow instance that does it (cron and operator alike);
 * answers at once with the queued run.
 */
export async function startBenchmarkRun(
  env: Pick<Env, 'DATABASE_URL' | 'LOCAL_NEON_ENDPOINT' | 'BENCHMARK_WORKFLOW'>,
  options: { trigger: JobRunRow['trigger']; now: Date; requestId?: string; clientRequestId?: string | undefined },
): Promise<JobRun> {
  const db = createDatabase(env);
  const { trigger, now, requestId = null, clientRequestId = null } = options;
  const run = await createJobRun(db, { id: uuidv7(), job: BENCHMARK_JOB, trigger }, {
    actorType: trigger === 'cron' ? 'schedule' : 'operator',
    requestId,
    clientRequestId,
    details: { job: BENCHMARK_JOB, trigger, at: now.toISOString() },
  });
  try {
    release(await env.BENCHMARK_WORKFLOW.create({ id: run.id, params: { jobRunId: run.id, now: now.toISOString() } satisfies BenchmarkRunParams }));
  } catch (error) {
    await finishJobRun(db, run.id, { status: 'failed', error: `the workflow did not start: ${String(error)}` });
    throw error;
  }
  return run;
}

/**
 * The job as Workflow steps, each retried by the engine and done at most once (its writes commit
 * with its row in job_run_steps): claim the run (one run of the job at a time), read the opted-in
 * tenants a page at a time, compute their values a chunk at a time, stage each period's snapshot
 * unpublished (stats, then positions in chunks), publish both in one transaction, then write the
 * tenants' events in chunks. Chunk steps of one kind run a few at a time (the engine allows steps
 * in parallel; each has its own name and row). Between steps only the results the engine keeps are
 * carried, so a run that dies resumes where it stopped. The percentiles are computed from those
 * results outside any step: pure and deterministic, so a resumed run computes the same.
 */
export async function runBenchmarkWorkflow(env: Env, params: BenchmarkRunParams, steps: Steps): Promise<Record<string, unknown>> {
  const db = createDatabase(env);
  const { jobRunId } = params;
  const fault = faultInjector(env.BENCHMARK_FAULT);
  const once = (name: string, build: () => BatchItem<'pg'>[], tenants = 0) =>
    steps.do(name, WORK_STEP, async ({ attempt }) => {
      fault(name, 'before', attempt);
      if (!(await isStepDone(db, jobRunId, name))) await batch(db, [...build(), recordStep(db, jobRunId, name, tenants)]);
      fault(name, 'after', attempt);
      return null;
    });
  try {
    const snapshots = await steps.do('claim', CLAIM_STEP, async () => {
      const claim = await claimJobRun(db, jobRunId);
      if (claim === 'busy') {
        await failDeadRun(env, db);
        throw new Error('another benchmark run is running: waiting for it to end');
      }
      if (claim === 'finished') throw steps.fatal('the run has already ended');
      const tenantsTotal = await countParticipants(db);
      await batch(db, [deleteAbandonedSnapshots(db, jobRunId), setJobRunTotals(db, jobRunId, { tenantsTotal }), recordStep(db, jobRunId, 'claim')]);
      return lastCompletePeriods(new Date(params.now)).map((period): StagedSnapshot => ({ id: uuidv7(), period, jobRunId }));
    });

    const participants: Participant[] = [];
    for (let page = 0; ; page++) {
      const after = participants.at(-1)?.tenantId;
      const rows = await steps.do(`participants ${page}`, WORK_STEP, async () => {
        const read = await readParticipants(db, { ...(after ? { after } : {}), limit: PARTICIPANT_PAGE });
        await batch(db, [recordStep(db, jobRunId, `participants ${page}`)]);
        return read;
      });
      participants.push(...rows);
      if (rows.length < PARTICIPANT_PAGE) break;
    }

    const computed = await inParallel(chunks(participants, COMPUTE_CHUNK), (chunk, c) => {
      const name = `compute ${c}`;
      return steps.do(name, WORK_STEP, async ({ attempt }) => {
        fault(name, 'before', attempt);
        const periods = snapshots.map((snapshot) => snapshot.period);
        const totals = await Promise.all(
          chunks(chunk, READ_CHUNK).map((part) => readPeriodTotals(db, 'benchmark', part.map((participant) => participant.tenantId), periods)),
        );
        await batch(db, [recordStep(db, jobRunId, name, chunk.length)]);
        return totals.flat().map((tenantPeriods) => tenantPeriods.map((total) => eligibleValues(total.external, total.internal)));
      });
    });
    const values = computed.flat();

    // The perturbed stand-ins are keyed draws (benchmark-noise.ts): computed again on a resumed run, never a step's
    // result, which would double what the compute steps return.
    const key = await noiseKey(env.HASH_SECRET);
    const contributions = await Promise.all(
      snapshots.map((snapshot, p) =>
        Promise.all(
          participants.map(async (participant, t): Promise<Contribution> => {
            const own = values[t]![p]!;
            return { participant, values: own, published: await publishedValues(key, snapshot.period, participant.tenantId, own) };
          }),
        ),
      ),
    );
    const results = contributions.map((periodContributions) => computeBenchmark(periodContributions));
    const ranked = results.map((result) => [...byTenant(result.positions)]);
    const perChunk = (size: number) => snapshots.flatMap((snapshot, p) => chunks(ranked[p]!, size).map((chunk, c) => ({ snapshot, chunk, c })));
    const [stageChunks, eventChunks] = [perChunk(STAGE_CHUNK), perChunk(EVENTS_CHUNK)];
    const writeSteps = stageChunks.length + eventChunks.length;
    const pages = Math.floor(participants.length / PARTICIPANT_PAGE) + 1;
    const stepsTotal = 1 + pages + Math.ceil(participants.length / COMPUTE_CHUNK) + 1 + writeSteps + 1 + 1;

    await once('stage', () => [
      setJobRunTotals(db, jobRunId, { stepsTotal, tenantsTotal: participants.length }),
      ...snapshots.flatMap((snapshot, p) => stageSnapshot(db, snapshot, results[p]!.stats)),
    ]);
    await inParallel(stageChunks, ({ snapshot, chunk, c }) =>
      once(`stage ${snapshot.period.kind} ${c}`, () => stagePositions(db, snapshot.id, new Map(chunk))),
    );
    await once('publish', () => publishSnapshots(db, snapshots));
    const participantsById = new Map(participants.map((participant) => [participant.tenantId, participant]));
    await inParallel(eventChunks, ({ snapshot, chunk, c }) =>
      once(`events ${snapshot.period.kind} ${c}`, () => emitPublishedEvents(db, snapshot, chunk.map(([tenantId]) => participantsById.get(tenantId)!))),
    );

    const summary = {
      participants: participants.length,
      periods: snapshots.map((snapshot, p) => ({
        ...snapshot.period,
        snapshotId: snapshot.id,
        rankedOrganizations: ranked[p]!.length,
        cohortStats: results[p]!.stats.length,
      })),
    };
    await steps.do('finish', WORK_STEP, async () => {
      await batch(db, [recordStep(db, jobRunId, 'finish')]);
      await finishJobRun(db, jobRunId, { status: 'succeeded', summary });
      return null;
    });
    // The events' first attempts go out now, not at the next per-minute dispatch (which catches anything this misses).
    await steps.do('dispatch', WORK_STEP, async () => {
      await dispatchWebhookDeliveries(env, { now: new Date() }).catch((error: unknown) =>
        console.error(JSON.stringify({ level: 'error', message: 'webhook dispatch failed', jobRunId, error: String(error) })),
      );
      return null;
    });
    return summary;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(JSON.stringify({ level: 'error', message: 'benchmark job failed', jobRunId, error: message }));
    // Its staged rows stay invisible; the next run's claim deletes them.
    await steps.do('fail', WORK_STEP, async () => {
      await finishJobRun(db, jobRunId, { status: 'failed', error: message });
      return null;
    });
    throw error;
  }
}

/**
 * Seconds since its last step within which the running run counts as alive without asking the engine.
 * Locally, asking about a live instance makes workerd print "An RPC stub was not disposed properly":
 * miniflare 4.20260426's Workflow binding (`workers/workflows/wrapped-binding.worker.js`) fetches the
 * engine's instance stub in `get()` and in `status()` and never disposes it. The handles it gives us
 * are plain objects, so nothing here can dispose those stubs; production's binding makes no such call.
 * A live run records a step every few seconds at most, so a run waiting for it no longer asks every second.
 */
const ALIVE_SECONDS = 10;

/**
 * Marks the job's running run failed when its Workflow instance has ended or is unknown to the
 * engine (terminated by hand, or local state lost with `npm start`): otherwise it would hold the
 * job's one running slot, and every later run would wait for it in vain.
 */
async function failDeadRun(env: Pick<Env, 'BENCHMARK_WORKFLOW'>, db: Database): Promise<void> {
  const running = await runningJobRun(db, BENCHMARK_JOB, ALIVE_SECONDS);
  // A run that has just recorded a step is alive: the engine is asked only about one that has gone quiet.
  if (!running || running.steppedRecently) return;
  const holder = running.id;
  let status: string;
  try {
    const instance = await env.BENCHMARK_WORKFLOW.get(holder);
    status = (await instance.status()).status;
    release(instance);
  } catch {
    status = 'unknown to the engine';
  }
  if (['errored', 'terminated', 'complete', 'unknown to the engine'].includes(status)) {
    await finishJobRun(db, holder, { status: 'failed', error: `its Workflow instance is ${status}` });
  }
}

/** Disposes a handle once used, should the runtime hand out an RPC stub (miniflare's have no disposer). */
function release(stub: object): void {
  const dispose = (Symbol as { dispose?: symbol }).dispose;
  if (dispose) (stub as Record<symbol, (() => void) | undefined>)[dispose]?.();
}

function batch(db: Database, items: BatchItem<'pg'>[]) {
  return db.batch(items as [BatchItem<'pg'>, ...BatchItem<'pg'>[]]);
}

function byTenant(positions: readonly Position[]): Map<string, Position[]> {
  const map = new Map<string, Position[]>();
  for (const position of positions) {
    const list = map.get(position.tenantId);
    if (list) list.push(position);
    else map.set(position.tenantId, [position]);
  }
  return map;
}

/** `task` over `items`, at most PARALLEL_STEPS at a time; results in the items' order. */
async function inParallel<T, R>(items: readonly T[], task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_STEPS, items.length) }, worker));
  return results;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

/**
 * Tests only (`BENCHMARK_FAULT`, unset in production): a comma-separated list of `<step>@before` or
 * `<step>@after`, which fail that step's first attempt before or after its writes commit, and
 * `<step>@always`, which fails every attempt.
 */
function faultInjector(spec: string | undefined) {
  const faults = new Map(
    (spec ?? '')
      .split(',')
      .filter((fault) => fault.includes('@'))
      .map((fault) => [fault.slice(0, fault.lastIndexOf('@')), fault.slice(fault.lastIndexOf('@') + 1)] as const),
  );
  return (name: string, phase: 'before' | 'after', attempt: number) => {
    const when = faults.get(name);
    if ((when === phase && attempt === 1) || (when === 'always' && phase === 'before')) {
      throw new Error(`injected fault: ${name} ${phase} its writes (attempt ${attempt})`);
    }
  };
}
