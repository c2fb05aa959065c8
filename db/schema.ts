import { type SQL, sql } from 'drizzle-orm';
import type { StoredPlan } from '../worker/domain/disclosure.ts';
import {
  type AnyPgColumn,
  bigint,
  boolean,
  char,
  check,
  date,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  pgEnum,
  pgPolicy,
  pgRole,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { answerColumns, MEASURES, ROLLUP_AGGREGATES, SERVICE_COMPONENTS, type Side } from '../worker/domain/measure-registry.ts';

export { MEASURES, SERVICE_COMPONENTS };

/** Benchmark cohorts group tenants by these, so they are closed vocabularies, not free text. */
export const INDUSTRIES = [
  'banking',
  'insurance',
  'retail',
  'hospitality',
  'healthcare',
  'telecommunications',
  'utilities',
  'transport-logistics',
  'manufacturing',
  'technology',
  'professional-services',
  'education',
  'public-sector',
  'other',
] as const;
export const SIZE_BANDS = ['1-49', '50-249', '250-999', '1000+'] as const;
/**
 * What a credential may do; `admin` implies every other scope but `internal-ratings:write`, which
 * excludes `reports:read` and `admin` (worker/domain/scopes.ts): whoever writes employees' answers
 * must not read the figures, or known answers could pad a small group up to the threshold.
 */
export const SCOPES = ['ratings:write', 'ratings:read', 'reports:read', 'admin', 'internal-ratings:write'] as const;
export const AUDIT_ACTIONS = [
  'tenant.created',
  'tenant.updated',
  'api_key.created',
  'api_key.rotated',
  'api_key.revoked',
  'partner_client.created',
  'partner_client.revoked',
  /** A revoked credential was presented. */
  'credential.refused',
  /** A customer's external ratings were erased on request (right to erasure). */
  'external_ratings.erased',
  'webhook_endpoint.created',
  'webhook_endpoint.deleted',
  'webhook_endpoint.secret_rotated',
  /** The delivery worker gave up on an endpoint that failed for 24 hours. */
  'webhook_endpoint.disabled',
  /**
   * Internal ratings were written: how many and for how many units, never their contents. A second
   * writing credential, or writes just before a month closes, show here (see README, Anonymity).
   */
  'internal_ratings.recorded',
  /** URL, event types, or enabled/disabled changed by an admin (PATCH). */
  'webhook_endpoint.updated',
  /** A `webhook.test` event was sent to the endpoint on request. */
  'webhook_endpoint.tested',
  /** A delivery was scheduled again on request. */
  'webhook_delivery.redelivered',
  'unit.created',
  'unit.updated',
  'unit.archived',
  'unit.deleted',
  'targets.updated',
  'external_ratings.exported',
] as const;
/** `system`: the API's own scheduled work (the webhook delivery job), acting for no credential. */
export const ACTOR_TYPES = ['operator', 'api_key', 'partner_client', 'system'] as const;
export const UNIT_KINDS = ['touchpoint', 'internal-supplier'] as const;
export const CUSTOMER_KINDS = ['occasional', 'recurring'] as const;
export const CHANNELS = ['in-person', 'phone', 'email', 'chat', 'web', 'mobile-app', 'social-media', 'other'] as const;
export const TENURE_BANDS = ['new', 'established'] as const;
export const STAFF_ROLES = ['frontline', 'support', 'leader'] as const;
/** The four basic indicators customers judge service by, 1-5 each. */
export const INDICATORS = ['quality', 'quantity', 'opportunity', 'cost'] as const;
/** The four organizational root causes and leadership support, 1-5 each: the support index. */
export const SUPPORT_SCORES = ['commitments', 'internalCulture', 'empowerment', 'recognition', 'leadershipSupport'] as const;
/** Know, be able, want: the provider triad, 1-5 each, self-assessed. */
export const TRIAD_SCORES = ['knowledge', 'ability', 'willingness'] as const;
export const COHORT_KINDS = ['all', 'industry', 'sizeBand', 'region'] as const;
export const PERIOD_KINDS = ['month', 'quarter', 'rolling12'] as const;
/** `queued`: started, waiting for the run of the same job before it to finish (one runs at a time). */
export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
/** What started a job run: the cron, or the operator's route. */
export const JOB_TRIGGERS = ['cron', 'operator'] as const;
/** What a webhook endpoint may subscribe to. */
export const WEBHOOK_EVENT_TYPES = ['benchmark.snapshot.published', 'scorecard.target.crossed', 'api_key.revoked', 'webhook.test'] as const;
/** `webhook.test` goes only to the endpoint it is asked for (POST …/test): nobody subscribes to it. */
export const SUBSCRIBABLE_EVENT_TYPES = WEBHOOK_EVENT_TYPES.filter((type) => type !== 'webhook.test') as Exclude<
  (typeof WEBHOOK_EVENT_TYPES)[number],
  'webhook.test'
>[];
/** `abandoned`: retries exhausted, or the endpoint was disabled before it succeeded. */
/** Which side of its target a measure was on when last evaluated (for `scorecard.target.crossed`). */
export const TARGET_SIDES = ['met', 'unmet'] as const;
export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'succeeded', 'abandoned'] as const;

export const industry = pgEnum('industry', INDUSTRIES);
export const sizeBand = pgEnum('size_band', SIZE_BANDS);
export const scope = pgEnum('scope', SCOPES);
export const auditAction = pgEnum('audit_action', AUDIT_ACTIONS);
export const actorType = pgEnum('actor_type', ACTOR_TYPES);
export const unitKind = pgEnum('unit_kind', UNIT_KINDS);
export const customerKind = pgEnum('customer_kind', CUSTOMER_KINDS);
export const channel = pgEnum('channel', CHANNELS);
export const serviceComponent = pgEnum('service_component', SERVICE_COMPONENTS);
export const tenureBand = pgEnum('tenure_band', TENURE_BANDS);
export const staffRole = pgEnum('staff_role', STAFF_ROLES);
export const measure = pgEnum('measure', MEASURES);
export const cohortKind = pgEnum('cohort_kind', COHORT_KINDS);
export const periodKind = pgEnum('period_kind', PERIOD_KINDS);
export const jobStatus = pgEnum('job_status', JOB_STATUSES);
export const jobTrigger = pgEnum('job_trigger', JOB_TRIGGERS);
export const targetSide = pgEnum('target_side', TARGET_SIDES);
export const webhookEventType = pgEnum('webhook_event_type', WEBHOOK_EVENT_TYPES);
export const webhookDeliveryStatus = pgEnum('webhook_delivery_status', WEBHOOK_DELIVERY_STATUSES);

/**
 * The role the worker's database user belongs to. It owns nothing and cannot bypass row-level
 * security, so every row it touches passes a tenant policy. Migrations run as the tables' owner.
 */
export const appRole = pgRole('service_culture_app');

/** The tenant of the current transaction, set by `set_config('app.tenant_id', id, true)`; '' reads as none. */
export const currentTenantId = sql`nullif(current_setting('app.tenant_id', true), '')::uuid`;

/** Rows of another tenant, or of no tenant, are invisible and cannot be written. */
function tenantIsolation(column: AnyPgColumn, operations: 'all' | 'select' | 'insert' = 'all') {
  const rule: SQL = sql`${column} = ${currentTenantId}`;
  return pgPolicy(`tenant_isolation_${operations}`, {
    to: appRole,
    for: operations,
    ...(operations === 'insert' ? {} : { using: rule }),
    ...(operations === 'select' ? {} : { withCheck: rule }),
  });
}

/** Tables of no tenant (benchmarks) that every tenant may read; written only with no tenant set (the job). */
function readableByTenants() {
  return pgPolicy('tenants_read', { to: appRole, for: 'select', using: sql`true` });
}

/** Operator data: the app role reads and writes it only with no tenant set (operator and job requests). */
function operatorOnly() {
  return pgPolicy('operator_only', { to: appRole, for: 'all', using: sql`${currentTenantId} is null`, withCheck: sql`${currentTenantId} is null` });
}

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const tenantId = () =>
  uuid('tenant_id')
    .notNull()
    .references(() => tenants.id, { onDelete: 'cascade' });

/** One organization. Everything tenant-owned hangs off this id. */
export const tenants = pgTable(
  'tenants',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    industry: industry('industry').notNull(),
    sizeBand: sizeBand('size_band').notNull(),
    /** ISO 3166-1 alpha-2 country code. */
    region: char('region', { length: 2 }).notNull(),
    benchmarkOptIn: boolean('benchmark_opt_in').notNull().default(false),
    /** Browser origins of partner apps allowed to read API responses (CORS). */
    allowedOrigins: text('allowed_origins').array().notNull().default(sql`'{}'`),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [tenantIsolation(table.id)],
);

/** A tenant admin's credential. Only the SHA-256 of the secret is kept; the secret is shown once. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey(),
    tenantId: tenantId(),
    name: text('name').notNull(),
    /** The first characters of the secret, so people can tell keys apart in lists and logs. */
    displayPrefix: text('display_prefix').notNull(),
    secretHash: text('secret_hash').notNull().unique(),
    scopes: scope('scopes').array().notNull(),
    /** The key this one replaced by rotation, if any. */
    rotatedFromId: uuid('rotated_from_id'),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (table) => [index('api_keys_tenant_id_idx').on(table.tenantId, table.id.desc()), tenantIsolation(table.tenantId)],
);

/** A partner app (helpdesk, CRM, kiosk) acting for a tenant through OAuth 2.0 client credentials. */
export const partnerClients = pgTable(
  'partner_clients',
  {
    /** The OAuth `client_id`. */
    id: uuid('id').primaryKey(),
    tenantId: tenantId(),
    name: text('name').notNull(),
    displayPrefix: text('display_prefix').notNull(),
    secretHash: text('secret_hash').notNull(),
    scopes: scope('scopes').array().notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (table) => [
    index('partner_clients_tenant_id_idx').on(table.tenantId, table.id.desc()),
    tenantIsolation(table.tenantId),
  ],
);

/**
 * Append-only record of security-relevant changes. The app role may only insert and read (grants
 * in migration 0001), and a trigger refuses updates and deletes from anyone.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: uuid('id').primaryKey(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
    action: auditAction('action').notNull(),
    actorType: actorType('actor_type').notNull(),
    /** Key id or client id of the actor (never a secret); null for the operator. */
    actorId: uuid('actor_id'),
    /** The credential, client or tenant acted on. */
    targetId: uuid('target_id'),
    /** The server's own id of the request that did it. */
    requestId: text('request_id'),
    /** The `X-Request-Id` the client sent, if any: its label for the request, never trusted as the id. */
    clientRequestId: text('client_request_id'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  },
  (table) => [
    index('audit_events_tenant_id_idx').on(table.tenantId, table.id.desc()),
    tenantIsolation(table.tenantId, 'select'),
    tenantIsolation(table.tenantId, 'insert'),
  ],
);

/** A department, branch or team: a touchpoint customers meet, or a unit that serves other units. */
export const units = pgTable(
  'units',
  {
    id: uuid('id').primaryKey(),
    tenantId: tenantId(),
    name: text('name').notNull(),
    kind: unitKind('kind').notNull(),
    parentId: uuid('parent_id'),
    /** The partner's own id for this unit, so integrations need no mapping table. */
    externalRef: text('external_ref'),
    /** Units with ratings are archived, never deleted; archived units take no new ratings. */
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    // Lets children and ratings reference (tenant, unit) pairs, so a row can never point across tenants.
    unique('units_tenant_id_id_unique').on(table.tenantId, table.id),
    unique('units_tenant_id_external_ref_unique').on(table.tenantId, table.externalRef),
    foreignKey({ columns: [table.tenantId, table.parentId], foreignColumns: [table.tenantId, table.id] }),
    index('units_tenant_id_idx').on(table.tenantId, table.id.desc()),
    tenantIsolation(table.tenantId),
  ],
);

const between = (column: AnyPgColumn, low: number, high: number) => sql`${column} between ${sql.raw(String(low))} and ${sql.raw(String(high))}`;
const snakeCase = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** One check per bounded answer column of a side's ratings, with the registry's bounds (the API validates the same). */
function answerChecks(side: Side, table: Record<string, unknown>) {
  return answerColumns(side).map(({ column, bounds }) => {
    const pgColumn = table[column] as AnyPgColumn;
    return check(`${side}_ratings_${pgColumn.name}_range`, between(pgColumn, bounds.min, bounds.max));
  });
}

const counter = (name: string) => integer(snakeCase(name)).notNull().default(0);
/** The rollup columns of a side, one per aggregate of the measure registry, named as it names them. */
function counters<S extends Side>(side: S) {
  const names = Object.keys(ROLLUP_AGGREGATES[side]) as (keyof (typeof ROLLUP_AGGREGATES)[S] & string)[];
  return Object.fromEntries(names.map((name) => [name, counter(name)])) as Record<(typeof names)[number], ReturnType<typeof counter>>;
}

/**
 * Where each unit sat in the tree and since when: one row when a unit is created and one per change
 * of parent, written by a trigger on `units` in the same transaction, whoever writes (the API, the
 * pool loader), and never changed. Disclosure (worker/domain/disclosure.ts) treats every
 * past tree as published, so a re-parented unit cannot reveal a group hidden under its old parent.
 */
export const unitParentHistory = pgTable(
  'unit_parent_history',
  {
    tenantId: tenantId(),
    unitId: uuid('unit_id').notNull(),
    parentId: uuid('parent_id'),
    validFrom: timestamp('valid_from', { withTimezone: true, precision: 6 }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.tenantId, table.unitId, table.validFrom] }),
    foreignKey({ columns: [table.tenantId, table.unitId], foreignColumns: [units.tenantId, units.id] }).onDelete('cascade'),
    tenantIsolation(table.tenantId, 'select'),
  ],
);

/**
 * The disclosure plan of a tenant (worker/domain/disclosure.ts `StoredPlan`), kept so a read does
 * not fetch and walk every atom again. `version` counts changes to what a plan reads (closed
 * months' internal rollups, the unit tree's history), bumped by triggers in the writing transaction;
 * a plan is current only for the month and version it was computed at (migration 0023).
 */
export const disclosurePlans = pgTable(
  'disclosure_plans',
  {
    tenantId: uuid('tenant_id')
      .primaryKey()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    version: bigint('version', { mode: 'number' }).notNull().default(0),
    month: date('month'),
    planVersion: bigint('plan_version', { mode: 'number' }),
    plan: jsonb('plan').$type<StoredPlan>(),
  },
  (table) => [tenantIsolation(table.tenantId)],
);

/** One client's rating of one service encounter. */
export const externalRatings = pgTable(
  'external_ratings',
  {
    id: uuid('id').primaryKey(),
    tenantId: tenantId(),
    unitId: uuid('unit_id').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    quality: smallint('quality'),
    quantity: smallint('quantity'),
    opportunity: smallint('opportunity'),
    cost: smallint('cost'),
    overall: smallint('overall').notNull(),
    recommend: smallint('recommend'),
    effort: smallint('effort'),
    customerKind: customerKind('customer_kind').notNull(),
    channel: channel('channel').notNull(),
    blamedComponent: serviceComponent('blamed_component'),
    blamesAttitude: boolean('blames_attitude'),
    comment: text('comment'),
    /** HMAC-SHA-256 of the client's reference under a per-tenant key: erasable, never reversible. */
    customerRefHash: text('customer_ref_hash'),
  },
  (table) => [
    foreignKey({ columns: [table.tenantId, table.unitId], foreignColumns: [units.tenantId, units.id] }),
    index('external_ratings_tenant_id_idx').on(table.tenantId, table.id.desc()),
    index('external_ratings_unit_idx').on(table.tenantId, table.unitId, table.occurredAt),
    index('external_ratings_customer_ref_idx').on(table.tenantId, table.customerRefHash),
    ...answerChecks('external', table),
    check('external_ratings_some_indicator', sql`coalesce(${table.quality}, ${table.quantity}, ${table.opportunity}, ${table.cost}) is not null`),
    check('external_ratings_comment_length', sql`char_length(${table.comment}) <= 2000`),
    tenantIsolation(table.tenantId),
  ],
);

/**
 * One employee's anonymous rating, as an internal customer, of the support they receive. No
 * employee identifier, no time finer than the day, and a random (not time-ordered) id.
 */
export const internalRatings = pgTable(
  'internal_ratings',
  {
    id: uuid('id').primaryKey(),
    tenantId: tenantId(),
    unitId: uuid('unit_id').notNull(),
    occurredOn: date('occurred_on').notNull(),
    commitments: smallint('commitments').notNull(),
    internalCulture: smallint('internal_culture').notNull(),
    empowerment: smallint('empowerment').notNull(),
    recognition: smallint('recognition').notNull(),
    leadershipSupport: smallint('leadership_support').notNull(),
    knowledge: smallint('knowledge').notNull(),
    ability: smallint('ability').notNull(),
    willingness: smallint('willingness').notNull(),
    tenureBand: tenureBand('tenure_band').notNull(),
    role: staffRole('role').notNull(),
    recommendEmployer: smallint('recommend_employer'),
  },
  (table) => [
    foreignKey({ columns: [table.tenantId, table.unitId], foreignColumns: [units.tenantId, units.id] }),
    index('internal_ratings_unit_idx').on(table.tenantId, table.unitId, table.occurredOn),
    ...answerChecks('internal', table),
    tenantIsolation(table.tenantId),
  ],
);

/**
 * External ratings summed per tenant × unit × day (UTC) × customer kind, kept in the same
 * transaction as every write and erasure, so reports and benchmarks never scan raw ratings.
 */
export const externalRollups = pgTable(
  'external_rollups',
  {
    tenantId: tenantId(),
    unitId: uuid('unit_id').notNull(),
    day: date('day').notNull(),
    customerKind: customerKind('customer_kind').notNull(),
    ...counters('external'),
  },
  (table) => [
    primaryKey({ columns: [table.tenantId, table.unitId, table.day, table.customerKind] }),
    foreignKey({ columns: [table.tenantId, table.unitId], foreignColumns: [units.tenantId, units.id] }),
    tenantIsolation(table.tenantId),
  ],
);

/** Internal ratings summed per tenant × unit × day × tenure band × role. */
export const internalRollups = pgTable(
  'internal_rollups',
  {
    tenantId: tenantId(),
    unitId: uuid('unit_id').notNull(),
    day: date('day').notNull(),
    tenureBand: tenureBand('tenure_band').notNull(),
    role: staffRole('role').notNull(),
    ...counters('internal'),
  },
  (table) => [
    primaryKey({ columns: [table.tenantId, table.unitId, table.day, table.tenureBand, table.role] }),
    foreignKey({ columns: [table.tenantId, table.unitId], foreignColumns: [units.tenantId, units.id] }),
    tenantIsolation(table.tenantId),
  ],
);

/**
 * Idempotency-Key records (Stripe semantics, IETF draft): per tenant and credential, the request's
 * fingerprint and the response it got, replayed for 24 hours.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    tenantId: tenantId(),
    credentialId: uuid('credential_id').notNull(),
    key: text('key').notNull(),
    /** Keyed hash of method, path and body: the same key with another request is refused. */
    requestFingerprint: text('request_fingerprint').notNull(),
    /** The request that wrote the record; a later request with the key replays its response. */
    requestId: text('request_id').notNull(),
    responseStatus: smallint('response_status').notNull(),
    responseBody: jsonb('response_body').notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.tenantId, table.credentialId, table.key] }),
    index('idempotency_keys_expires_at_idx').on(table.expiresAt),
    tenantIsolation(table.tenantId),
  ],
);

/**
 * A tenant's goal for a measure, tenant-wide or for one unit (and the units below it): the scorecard
 * shows the road travelled from its baseline and the road left to its deadline.
 */
export const targets = pgTable(
  'targets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantId(),
    /** null: tenant-wide. */
    unitId: uuid('unit_id'),
    measure: measure('measure').notNull(),
    /** In the measure's own unit: 1-5 for means, 0-1 for shares, -100..100 for net scores. */
    target: doublePrecision('target').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * The daily evaluation's last result: a change of side emits `scorecard.target.crossed`. Null
     * until first evaluated, and again when the target value changes (the next evaluation is a new baseline).
     */
    lastSide: targetSide('last_side'),
    lastValue: doublePrecision('last_value'),
    evaluatedAt: timestamp('evaluated_at', { withTimezone: true }),
    /**
     * The measure's value in a whole ended period (a month or a quarter), taken when the target was
     * set and kept: later ratings dated in that period do not move the start of the road.
     */
    baselineValue: doublePrecision('baseline_value'),
    baselineFrom: date('baseline_from'),
    baselineTo: date('baseline_to'),
    deadline: date('deadline'),
  },
  (table) => [
    // One target per measure and scope; NULLS NOT DISTINCT makes the tenant-wide one (no unit) unique too.
    unique('targets_tenant_id_unit_id_measure_unique').on(table.tenantId, table.unitId, table.measure).nullsNotDistinct(),
    foreignKey({ columns: [table.tenantId, table.unitId], foreignColumns: [units.tenantId, units.id] }).onDelete('cascade'),
    check('targets_baseline_whole', sql`(${table.baselineValue} is null) = (${table.baselineFrom} is null) and (${table.baselineFrom} is null) = (${table.baselineTo} is null)`),
    tenantIsolation(table.tenantId),
  ],
);

/** Every run of a scheduled job (cron or operator), with what it did or why it failed. */
export const jobRuns = pgTable(
  'job_runs',
  {
    id: uuid('id').primaryKey(),
    job: text('job').notNull(),
    trigger: jobTrigger('trigger').notNull(),
    status: jobStatus('status').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    summary: jsonb('summary').$type<Record<string, unknown>>().notNull().default({}),
    error: text('error'),
    /** Steps the run will take in all, and opted-in tenants it computes; known once it has read the participants. */
    stepsTotal: integer('steps_total'),
    tenantsTotal: integer('tenants_total'),
  },
  (table) => [
    index('job_runs_id_idx').on(table.id.desc()),
    // Two runs of a job never interleave: a run becomes `running` only while no other run of its job is.
    uniqueIndex('job_runs_one_running_idx').on(table.job).where(sql`status = 'running'`),
    operatorOnly(),
  ],
);

/**
 * The steps a job run has completed, each written in the same transaction as the step's effect:
 * a retried step finds its row and does not write twice, and the rows are the run's progress.
 */
export const jobRunSteps = pgTable(
  'job_run_steps',
  {
    jobRunId: uuid('job_run_id')
      .notNull()
      .references(() => jobRuns.id, { onDelete: 'cascade' }),
    step: text('step').notNull(),
    /** Tenants whose rollups the step computed (compute steps only). */
    tenants: integer('tenants').notNull().default(0),
    doneAt: timestamp('done_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.jobRunId, table.step] }), operatorOnly()],
);

/**
 * A benchmark computed for one period from the rollups of opted-in tenants. A run stages a new one
 * (unpublished) step by step, then publishes it and deletes the period's previous one (its stats and
 * positions cascade) in one transaction.
 */
export const benchmarkSnapshots = pgTable(
  'benchmark_snapshots',
  {
    id: uuid('id').primaryKey(),
    periodKind: periodKind('period_kind').notNull(),
    periodStart: date('period_start').notNull(),
    /** Exclusive. */
    periodEnd: date('period_end').notNull(),
    computedAt: timestamp('computed_at', { withTimezone: true }).notNull().defaultNow(),
    jobRunId: uuid('job_run_id')
      .notNull()
      .references(() => jobRuns.id),
    /**
     * Null while the job stages the snapshot (readers ignore it); set when the run publishes it, in the
     * transaction that deletes the period's previous snapshot, so readers see one or the other.
     */
    publishedAt: timestamp('published_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('benchmark_snapshots_period_published_idx').on(table.periodKind, table.periodStart).where(sql`published_at is not null`),
    readableByTenants(),
    operatorOnly(),
  ],
);

/** One cohort's distribution of one measure in a snapshot. Only published to tenants when it holds ≥ 5 organizations. */
export const benchmarkCohortStats = pgTable(
  'benchmark_cohort_stats',
  {
    snapshotId: uuid('snapshot_id')
      .notNull()
      .references(() => benchmarkSnapshots.id, { onDelete: 'cascade' }),
    measure: measure('measure').notNull(),
    cohortKind: cohortKind('cohort_kind').notNull(),
    /** The industry, size band or region; '' for `all`. */
    cohortValue: text('cohort_value').notNull(),
    organizations: integer('organizations').notNull(),
    mean: doublePrecision('mean').notNull(),
    p10: doublePrecision('p10').notNull(),
    p25: doublePrecision('p25').notNull(),
    median: doublePrecision('median').notNull(),
    p75: doublePrecision('p75').notNull(),
    p90: doublePrecision('p90').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.snapshotId, table.measure, table.cohortKind, table.cohortValue] }),
    readableByTenants(),
    operatorOnly(),
  ],
);

/** A tenant's own value and mid-rank percentile in each cohort of a snapshot: its row only. */
export const benchmarkPositions = pgTable(
  'benchmark_positions',
  {
    snapshotId: uuid('snapshot_id')
      .notNull()
      .references(() => benchmarkSnapshots.id, { onDelete: 'cascade' }),
    tenantId: tenantId(),
    measure: measure('measure').notNull(),
    cohortKind: cohortKind('cohort_kind').notNull(),
    /** The tenant's industry, size band or region ('' for `all`) as the snapshot computed it: frozen, so a rank names its cohort. */
    cohortValue: text('cohort_value').notNull(),
    /** The tenant's true value; the cohort's stats come from perturbed values (worker/domain/benchmark-noise.ts). */
    value: doublePrecision('value').notNull(),
    /** Its true value's mid-rank among the other members' perturbed values. */
    percentileRank: doublePrecision('percentile_rank').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.snapshotId, table.tenantId, table.measure, table.cohortKind] }),
    tenantIsolation(table.tenantId),
  ],
);

/** Where a tenant wants events POSTed, signed per Standard Webhooks. */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: uuid('id').primaryKey(),
    tenantId: tenantId(),
    url: text('url').notNull(),
    eventTypes: webhookEventType('event_types').array().notNull(),
    /**
     * The `whsec_…` signing secret, AES-GCM encrypted under a key derived from HASH_SECRET (the
     * worker must sign with it, so it cannot be a one-way hash like API keys).
     */
    secretCiphertext: text('secret_ciphertext').notNull(),
    /** After a rotation, the old secret also signs until it expires, so receivers can switch without losing events. */
    previousSecretCiphertext: text('previous_secret_ciphertext'),
    previousSecretExpiresAt: timestamp('previous_secret_expires_at', { withTimezone: true }),
    createdAt: createdAt(),
    /** Since when every delivery attempt has failed; null after a success. */
    failingSince: timestamp('failing_since', { withTimezone: true }),
    /** Set when it failed for 24 hours; a disabled endpoint gets no new deliveries. */
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
  },
  (table) => [
    unique('webhook_endpoints_tenant_id_id_unique').on(table.tenantId, table.id),
    index('webhook_endpoints_tenant_id_idx').on(table.tenantId, table.id.desc()),
    tenantIsolation(table.tenantId),
  ],
);

/** The outbox: one row per event, written in the same transaction as the change that caused it. */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    /** Sent as `webhook-id`: the same on every retry, so receivers de-duplicate by it. */
    id: uuid('id').primaryKey(),
    tenantId: tenantId(),
    type: webhookEventType('type').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    unique('webhook_events_tenant_id_id_unique').on(table.tenantId, table.id),
    // For the daily pruning of events past their retention.
    index('webhook_events_created_at_idx').on(table.createdAt),
    tenantIsolation(table.tenantId),
  ],
);

/** One event to one endpoint: retried with backoff until it succeeds or is abandoned. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantId(),
    eventId: uuid('event_id').notNull(),
    endpointId: uuid('endpoint_id').notNull(),
    status: webhookDeliveryStatus('status').notNull().default('pending'),
    attempts: smallint('attempts').notNull().default(0),
    /** When the next attempt is due (pending only); pushed ahead while an attempt is in flight (a lease). */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    lastStatusCode: smallint('last_status_code'),
    lastError: text('last_error'),
    createdAt: createdAt(),
  },
  (table) => [
    unique('webhook_deliveries_event_endpoint_unique').on(table.eventId, table.endpointId),
    foreignKey({ columns: [table.tenantId, table.eventId], foreignColumns: [webhookEvents.tenantId, webhookEvents.id] }).onDelete('cascade'),
    foreignKey({ columns: [table.tenantId, table.endpointId], foreignColumns: [webhookEndpoints.tenantId, webhookEndpoints.id] }).onDelete('cascade'),
    index('webhook_deliveries_due_idx').on(table.nextAttemptAt).where(sql`status = 'pending'`),
    tenantIsolation(table.tenantId),
  ],
);

/** Each try of a delivery, listed per endpoint. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: uuid('id').primaryKey(),
    tenantId: tenantId(),
    deliveryId: uuid('delivery_id')
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    endpointId: uuid('endpoint_id').notNull(),
    attemptedAt: timestamp('attempted_at', { withTimezone: true }).notNull(),
    /** Null when no response came (timeout, connection refused). */
    statusCode: smallint('status_code'),
    durationMs: integer('duration_ms').notNull(),
    error: text('error'),
  },
  (table) => [
    foreignKey({ columns: [table.tenantId, table.endpointId], foreignColumns: [webhookEndpoints.tenantId, webhookEndpoints.id] }).onDelete('cascade'),
    index('webhook_attempts_endpoint_idx').on(table.tenantId, table.endpointId, table.id.desc()),
    tenantIsolation(table.tenantId),
  ],
);

export type Tenant = typeof tenants.$inferSelect;
export type ApiKey = typeof apiKeys.$inferSelect;
export type PartnerClient = typeof partnerClients.$inferSelect;
export type AuditEvent = typeof auditEvents.$inferSelect;
export type Scope = (typeof SCOPES)[number];
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
export type Unit = typeof units.$inferSelect;
export type ExternalRating = typeof externalRatings.$inferSelect;
export type InternalRating = typeof internalRatings.$inferSelect;
export type WebhookEndpoint = typeof webhookEndpoints.$inferSelect;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** What the operator's log records; `tenant.created` stays in the new tenant's own log. */
export const OPERATOR_AUDIT_ACTIONS = ['job_run.started'] as const;
/** `schedule`: the daily cron, recorded beside the operator's own runs so every run has its start on record. */
export const OPERATOR_ACTOR_TYPES = ['operator', 'schedule'] as const;
export const operatorAuditAction = pgEnum('operator_audit_action', OPERATOR_AUDIT_ACTIONS);
export const operatorActorType = pgEnum('operator_actor_type', OPERATOR_ACTOR_TYPES);

/**
 * Append-only record of changes that belong to no tenant (a benchmark run spans them all), so they
 * cannot go in a tenant's `audit_events`. Operator data: readable and insertable only with no tenant
 * set; the app role has no UPDATE or DELETE on it and a trigger refuses both from anyone.
 */
export const operatorAuditEvents = pgTable(
  'operator_audit_events',
  {
    id: uuid('id').primaryKey(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
    action: operatorAuditAction('action').notNull(),
    actorType: operatorActorType('actor_type').notNull(),
    /** The job run started. */
    targetId: uuid('target_id'),
    /** The server's own id of the request; null for the schedule. */
    requestId: text('request_id'),
    clientRequestId: text('client_request_id'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  },
  () => [operatorOnly()],
);

export type OperatorAuditEvent = typeof operatorAuditEvents.$inferSelect;
export type OperatorAuditAction = (typeof OPERATOR_AUDIT_ACTIONS)[number];
