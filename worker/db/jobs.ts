import { and, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { jobRunSteps, jobRuns } from '../../db/schema.ts';
import { type OperatorAuditEntry, operatorAuditEvent } from './audit.ts';
import type { Database } from './client.ts';

/* Job runs and their steps are operator data: every statement here goes out with no tenant set. */

export type JobRunRow = typeof jobRuns.$inferSelect;

export interface JobRunProgress {
  stepsDone: number;
  /** Null until the run knows how many steps it takes (after reading the participants). */
  stepsTotal: number | null;
  tenantsDone: number;
  tenantsTotal: number | null;
  /** The step completed last, if any. */
  lastStep: string | null;
}

export type JobRun = JobRunRow & { progress: JobRunProgress };

const progressColumns = {
  stepsDone: sql<number>`(select count(*)::int from ${jobRunSteps} where ${jobRunSteps.jobRunId} = ${jobRuns.id})`,
  tenantsDone: sql<number>`(select coalesce(sum(${jobRunSteps.tenants}), 0)::int from ${jobRunSteps} where ${jobRunSteps.jobRunId} = ${jobRuns.id})`,
  lastStep: sql<string | null>`(select ${jobRunSteps.step} from ${jobRunSteps} where ${jobRunSteps.jobRunId} = ${jobRuns.id} order by ${jobRunSteps.doneAt} desc limit 1)`,
};

function withProgress({ stepsDone, tenantsDone, lastStep, ...run }: JobRunRow & { stepsDone: number; tenantsDone: number; lastStep: string | null }): JobRun {
  return { ...run, progress: { stepsDone, stepsTotal: run.stepsTotal, tenantsDone, tenantsTotal: run.tenantsTotal, lastStep } };
}

/**
 * A run waiting to be claimed by its Workflow instance, with the operator audit event of its start in
 * the same transaction: no run exists without its audit row.
 */
export async function createJobRun(
  db: Database,
  run: Pick<JobRunRow, 'id' | 'job' | 'trigger'>,
  audit: Omit<OperatorAuditEntry, 'action' | 'targetId'>,
): Promise<JobRun> {
  const [[created]] = await db.batch([
    db.insert(jobRuns).values({ ...run, status: 'queued' }).returning(),
    operatorAuditEvent(db, { ...audit, action: 'job_run.started', targetId: run.id }),
  ]);
  return withProgress({ ...created!, stepsDone: 0, tenantsDone: 0, lastStep: null });
}

export async function getJobRun(db: Database, id: string): Promise<JobRun | undefined> {
  const [row] = await db.select({ ...getColumns(), ...progressColumns }).from(jobRuns).where(eq(jobRuns.id, id));
  return row ? withProgress(row) : undefined;
}

export async function listJobRuns(db: Database, page: { limit: number; after?: string }): Promise<JobRun[]> {
  const rows = await db
    .select({ ...getColumns(), ...progressColumns })
    .from(jobRuns)
    .where(page.after ? lt(jobRuns.id, page.after) : undefined)
    .orderBy(desc(jobRuns.id))
    .limit(page.limit + 1);
  return rows.map(withProgress);
}

function getColumns() {
  const { id, job, trigger, status, startedAt, finishedAt, summary, error, stepsTotal, tenantsTotal } = jobRuns;
  return { id, job, trigger, status, startedAt, finishedAt, summary, error, stepsTotal, tenantsTotal };
}

export type Claim = 'claimed' | 'busy' | 'finished';

/**
 * Makes the queued run the job's running one. `busy` while another run of the job is running (the
 * partial unique index refuses a second one); `claimed` again for a run already running (a retried
 * step); `finished` for one that has ended.
 */
export async function claimJobRun(db: Database, id: string): Promise<Claim> {
  try {
    await db.update(jobRuns).set({ status: 'running' }).where(and(eq(jobRuns.id, id), eq(jobRuns.status, 'queued')));
  } catch (error) {
    const code = (error as { cause?: { code?: string }; code?: string }).cause?.code ?? (error as { code?: string }).code;
    if (code === '23505') return 'busy';
    throw error;
  }
  const [run] = await db.select({ status: jobRuns.status }).from(jobRuns).where(eq(jobRuns.id, id));
  if (!run) throw new Error(`job run ${id} does not exist`);
  return run.status === 'running' ? 'claimed' : run.status === 'queued' ? 'busy' : 'finished';
}

/** The job's running run, if any, and whether it recorded a step in the last `seconds`. */
export async function runningJobRun(db: Database, job: string, seconds: number): Promise<{ id: string; steppedRecently: boolean } | undefined> {
  const [run] = await db
    .select({
      id: jobRuns.id,
      steppedRecently: sql<boolean>`exists (select 1 from ${jobRunSteps} where ${jobRunSteps.jobRunId} = ${jobRuns.id} and ${jobRunSteps.doneAt} > now() - make_interval(secs => ${seconds}))`,
    })
    .from(jobRuns)
    .where(and(eq(jobRuns.job, job), eq(jobRuns.status, 'running')));
  return run;
}

export function setJobRunTotals(db: Database, id: string, totals: { stepsTotal?: number; tenantsTotal: number }) {
  return db.update(jobRuns).set(totals).where(eq(jobRuns.id, id));
}

/** Ends a queued or running run; a run that has already ended keeps its outcome. */
export async function finishJobRun(
  db: Database,
  id: string,
  outcome: { status: 'succeeded'; summary: Record<string, unknown> } | { status: 'failed'; error: string; summary?: Record<string, unknown> },
): Promise<void> {
  await db
    .update(jobRuns)
    .set({ ...outcome, finishedAt: sql`now()` })
    .where(and(eq(jobRuns.id, id), inArray(jobRuns.status, ['queued', 'running'])));
}

/**
 * The statement that records a step as done; in the batch of the step's own writes, so both commit or
 * neither. A read-only step retried after its row committed records nothing twice.
 */
export function recordStep(db: Database, jobRunId: string, step: string, tenants = 0): BatchItem<'pg'> {
  return db.insert(jobRunSteps).values({ jobRunId, step, tenants }).onConflictDoNothing();
}

export async function isStepDone(db: Database, jobRunId: string, step: string): Promise<boolean> {
  const rows = await db
    .select({ step: jobRunSteps.step })
    .from(jobRunSteps)
    .where(and(eq(jobRunSteps.jobRunId, jobRunId), eq(jobRunSteps.step, step)));
  return rows.length > 0;
}
