import { sqlState } from '../db/errors.ts';
import { type FieldError, ProblemError } from './problem.ts';

/**
 * `assert_units_accept_ratings` names the units a write may not use; this names the items that use
 * them, by JSON pointer, with the status the issue asks for: unknown (or another tenant's) 404,
 * archived 409. Any other error gives undefined, for the caller to rethrow.
 */
export function unitProblem(error: unknown, unitIds: string[], pointerOf: (index: number) => string): ProblemError | undefined {
  const state = sqlState(error);
  if (state !== 'UN404' && state !== 'UN409') return undefined;
  const detail = (error as { detail?: string }).detail ?? (error as { cause?: { detail?: string } }).cause?.detail ?? '[]';
  const offending = new Set(JSON.parse(detail) as string[]);
  const reason = state === 'UN404' ? 'No such unit' : 'The unit is archived';
  const errors: FieldError[] = unitIds.flatMap((unitId, index) =>
    offending.has(unitId) ? [{ location: 'body' as const, pointer: pointerOf(index), detail: `${reason}: ${unitId}` }] : [],
  );
  const names = [...offending].join(', ');
  return state === 'UN404'
    ? new ProblemError('notFound', `No unit ${names} belongs to this tenant.`, { errors })
    : new ProblemError('conflict', `Unit ${names} is archived and takes no new ratings.`, { errors });
}
