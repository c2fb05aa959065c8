/**
 * What the Neon driver and drizzle throw, read without importing their classes: drizzle wraps a
 * query's `NeonDbError` in `DrizzleQueryError` (code on `cause`); a batch throws it bare.
 */
interface DriverError {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  sourceError?: unknown;
}

function* chain(error: unknown): Generator<DriverError> {
  const seen = new Set<unknown>();
  let current = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const e = current as DriverError;
    yield e;
    current = e.cause ?? e.sourceError;
  }
}

/** The SQLSTATE of a database error anywhere in the cause chain. */
export function sqlState(error: unknown): string | undefined {
  for (const e of chain(error)) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  }
  return undefined;
}

/**
 * SQLSTATEs that mean "the database is not there right now", not "your query is wrong":
 * class 08 (connection), 57P01-57P03 (shutdown, cannot connect now), 53300 (too many connections).
 */
const UNAVAILABLE_STATE = /^(08...|57P0[123]|53300)$/;

/**
 * True when a round trip was aborted by its deadline (`AbortSignal.timeout`, see createDatabase):
 * the driver wraps the fetch's `TimeoutError` as `sourceError`, or it surfaces bare while the body
 * is read. Unlike an unreachable database, the work may still have been committed.
 */
export function isDatabaseTimeout(error: unknown): boolean {
  for (const e of chain(error)) if (e.name === 'TimeoutError') return true;
  return false;
}

/** True when the error says the database could not be reached, so a retry later may succeed. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const state = sqlState(error);
  if (state) return UNAVAILABLE_STATE.test(state);
  for (const e of chain(error)) {
    const message = typeof e.message === 'string' ? e.message : '';
    // The driver's own words when fetch fails or the endpoint answers 5xx.
    if (message.startsWith('Error connecting to database') || message.startsWith('Server error (HTTP status 5')) {
      return true;
    }
  }
  return false;
}

/**
 * Neon's SQL-over-HTTP limits as its proxy words them (worker/db/neon-limits.ts): the driver throws
 * `Server error (HTTP status 413|507): {"message":"request|response is too large (max is N bytes)"}`.
 * Which one and N, or undefined for any other error.
 */
export function neonLimitOf(error: unknown): { exceeded: 'request' | 'response'; maxBytes: number } | undefined {
  for (const e of chain(error)) {
    const message = typeof e.message === 'string' ? e.message : '';
    const match = /^Server error \(HTTP status (?:413|507)\): .*\b(request|response) is too large \(max is (\d+) bytes\)/.exec(message);
    if (match) return { exceeded: match[1] as 'request' | 'response', maxBytes: Number(match[2]) };
  }
  return undefined;
}

/** A transaction the database rolled back to break a deadlock (40P01) or a serialization failure (40001). */
export function isTransactionConflict(error: unknown): boolean {
  const state = sqlState(error);
  return state === '40P01' || state === '40001';
}

/**
 * Runs `write` again when the database rolled it back for a conflict (see `isTransactionConflict`):
 * nothing of it was applied, so a retry is safe. The last conflict is thrown (a 503, http/errors.ts).
 */
export async function retryConflicts<T>(write: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= attempts || !isTransactionConflict(error)) throw error;
    }
  }
}

export const UNIQUE_VIOLATION = '23505';
/** What a rotation batch raises, on purpose, when its target is gone or no longer live: the batch rolls back. */
export const DIVISION_BY_ZERO = '22012';

/**
 * The innermost error's name, SQLSTATE and first line, for logs. Drizzle's own message carries the
 * query's parameters, which may be secrets or personal data, so it is never logged.
 */
export function describeError(error: unknown): string {
  let innermost: DriverError | undefined;
  for (const e of chain(error)) innermost = e;
  if (!innermost) return String(error);
  const name = innermost instanceof Error ? innermost.name : 'Error';
  const message = typeof innermost.message === 'string' ? innermost.message.split('\n')[0] : String(innermost);
  const state = sqlState(error);
  return `${name}${state ? ` [${state}]` : ''}: ${message}`;
}

/*
 * Typed refusals: what a db/ function throws when a write cannot be done as asked, in the terms of the
 * resource rather than of SQLSTATEs. One mapper (http/errors.ts `problemOf`) turns each into a problem;
 * `kind` lets it check at compile time that none is left out.
 */

abstract class Refusal<K extends string> extends Error {
  abstract readonly kind: K;
}

/** The tenant has no `resource` with this id (another tenant's is no different). */
export class NotFound extends Refusal<'notFound'> {
  readonly kind = 'notFound';
  constructor(
    readonly resource: string,
    readonly id: string,
  ) {
    super(`There is no ${resource} ${id}.`);
  }
}

/** Ratings name units the tenant does not have (`assert_units_accept_ratings`: UN404). */
export class UnitNotFound extends Refusal<'unitNotFound'> {
  readonly kind = 'unitNotFound';
  constructor(readonly unitIds: string[]) {
    super(`No unit ${unitIds.join(', ')} belongs to this tenant.`);
  }
}

/** Ratings name archived units, which take no new ones (UN409). */
export class UnitArchived extends Refusal<'unitArchived'> {
  readonly kind = 'unitArchived';
  constructor(readonly unitIds: string[]) {
    super(`Unit ${unitIds.join(', ')} is archived and takes no new ratings.`);
  }
}

/** A unit's new parent is not a unit of the tenant (the composite foreign key). */
export class ParentUnitNotFound extends Refusal<'parentUnitNotFound'> {
  readonly kind = 'parentUnitNotFound';
  constructor(readonly parentId: string | null | undefined) {
    super(`There is no unit ${parentId}`);
  }
}

/** A unit's new parent is the unit itself or lies below it. */
export class UnitCycle extends Refusal<'unitCycle'> {
  readonly kind = 'unitCycle';
  constructor(
    readonly id: string,
    readonly parentId: string | null | undefined,
  ) {
    super(`Unit ${parentId} is unit ${id} or lies below it; a unit cannot be its own ancestor`);
  }
}

/** Another unit of the tenant has this externalRef. */
export class ExternalRefTaken extends Refusal<'externalRefTaken'> {
  readonly kind = 'externalRefTaken';
  constructor(readonly externalRef: string | null | undefined) {
    super(`Another unit already has externalRef '${externalRef}'.`);
  }
}

/** The tenant already has the most units a tenant may have (`check_unit_limit`: UL409). */
export class UnitLimitReached extends Refusal<'unitLimitReached'> {
  readonly kind = 'unitLimitReached';
  constructor(readonly limit: number) {
    super(`A tenant has at most ${limit.toLocaleString('en')} units, and this one has them all: move teams under existing units, or delete units without ratings first.`);
  }
}

/** A unit without ratings that cannot be deleted while units hang from it. */
export class UnitHasChildren extends Refusal<'unitHasChildren'> {
  readonly kind = 'unitHasChildren';
  constructor(
    readonly id: string,
    readonly children: number,
  ) {
    const units = children === 1 ? '1 unit hangs' : `${children} units hang`;
    super(`Unit ${id} has no ratings but ${units} from it: move or delete them first.`);
  }
}

/** A rating or child unit arrived between a delete's checks and the delete. */
export class UnitChangedMeanwhile extends Refusal<'unitChangedMeanwhile'> {
  readonly kind = 'unitChangedMeanwhile';
  constructor(readonly id: string) {
    super(`Unit ${id} gained ratings or units meanwhile; try again.`);
  }
}

/** A revoked or expired API key cannot be rotated. */
export class CredentialNotLive extends Refusal<'credentialNotLive'> {
  readonly kind = 'credentialNotLive';
  constructor(readonly state: 'revoked' | 'expired') {
    super(`The API key is ${state} and cannot be rotated; create a new key instead.`);
  }
}

/** A tenant made with this Idempotency-Key exists, though the key's record has expired. */
export class TenantExists extends Refusal<'tenantExists'> {
  readonly kind = 'tenantExists';
  constructor(readonly tenantId: string) {
    super(`A tenant was already created with this Idempotency-Key (${tenantId}); use a new key.`);
  }
}

/** The key's first request is still running (`claim_idempotency_key`: IK409), or the key changed state meanwhile. */
export class IdempotencyKeyInUse extends Refusal<'idempotencyKeyInUse'> {
  readonly kind = 'idempotencyKeyInUse';
  constructor(readonly inFlight: boolean) {
    super(inFlight ? 'The first request with this Idempotency-Key is still running; retry once it has completed.' : 'The Idempotency-Key changed state; retry.');
  }
}

/** The key was used within its window for a request with another method, path or body. */
export class IdempotencyKeyReused extends Refusal<'idempotencyKeyReused'> {
  readonly kind = 'idempotencyKeyReused';
  constructor() {
    super('The Idempotency-Key was used for a request with another method, path or body.');
  }
}

/** A write whose one database request would pass Neon's cap (`NEON_MAX_REQUEST_BYTES`). */
export class DatabaseRequestTooLarge extends Refusal<'databaseRequestTooLarge'> {
  readonly kind = 'databaseRequestTooLarge';
  constructor(
    readonly rows: number,
    readonly bytes: number,
    readonly maxDataBytes: number,
  ) {
    super(`A write of ${rows} rows would be a database request of ${bytes} bytes.`);
  }
}

export type TypedError =
  | NotFound
  | DatabaseRequestTooLarge
  | UnitNotFound
  | UnitArchived
  | ParentUnitNotFound
  | UnitCycle
  | ExternalRefTaken
  | UnitHasChildren
  | UnitLimitReached
  | UnitChangedMeanwhile
  | CredentialNotLive
  | TenantExists
  | IdempotencyKeyInUse
  | IdempotencyKeyReused;

export function isTypedError(error: unknown): error is TypedError {
  return error instanceof Refusal;
}

export const FOREIGN_KEY_VIOLATION = '23503';

/** What a write's own statements may raise, by SQLSTATE, as the typed error to throw instead. */
export type Refusals = Partial<Record<string, () => TypedError>>;

/** The offending unit ids `assert_units_accept_ratings` lists in DETAIL as a JSON array. */
function unitIdsOf(error: unknown): string[] {
  for (const e of chain(error)) {
    const detail = (e as { detail?: unknown }).detail;
    if (typeof detail === 'string') return JSON.parse(detail) as string[];
  }
  return [];
}

/**
 * The typed error for a database error a write raised: the functions' own SQLSTATEs (units refused,
 * a key in flight) and the write's `refusals`; the error itself when it is none of them.
 */
export function typedErrorOf(error: unknown, refusals: Refusals = {}): unknown {
  const state = sqlState(error);
  if (state === undefined) return error;
  const refusal = refusals[state];
  if (refusal) return refusal();
  switch (state) {
    case 'UN404':
      return new UnitNotFound(unitIdsOf(error));
    case 'UN409':
      return new UnitArchived(unitIdsOf(error));
    case 'IK409':
      return new IdempotencyKeyInUse(true);
    default:
      return error;
  }
}
