import type { Hook } from '@hono/zod-openapi';
import type { ZodError } from 'zod';
import type { AppEnv } from '../env.ts';
import { type FieldError, type ProblemName, ProblemError } from './problem.ts';

type Target = 'json' | 'form' | 'query' | 'param' | 'header' | 'cookie';

const LOCATIONS: Record<Target, FieldError['location']> = {
  json: 'body',
  form: 'body',
  query: 'query',
  param: 'path',
  header: 'header',
  cookie: 'header',
};

/** A bad path id names nothing that exists, so it is a 404 (as Stripe answers), not a 400. */
const PROBLEM_BY_LOCATION: Record<FieldError['location'], ProblemName> = {
  body: 'validation',
  query: 'invalidParameters',
  header: 'invalidParameters',
  path: 'notFound',
};

/** RFC 6901: `~` and `/` inside a key are escaped. */
export function jsonPointer(path: readonly PropertyKey[]): string {
  return path.map((key) => `/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** One entry per failing field; `input` is what was validated, to tell a missing field from a wrong one. */
export function fieldErrors(error: ZodError, location: FieldError['location'], input: unknown): FieldError[] {
  return error.issues.flatMap((issue): FieldError[] => {
    // zod reports unknown keys once, at their parent; each key gets its own pointer here.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ location, pointer: jsonPointer([...issue.path, key]), detail: 'Unknown field' }));
    }
    // zod words a missing field as a wrong type or option ("received undefined"); people say "required".
    const missing = issue.path.length > 0 && valueAt(input, issue.path) === undefined && issue.code !== 'custom';
    return [{ location, pointer: jsonPointer(issue.path), detail: missing ? 'Required' : issue.message }];
  });
}

export function validationProblem(target: Target, error: ZodError, input: unknown): ProblemError {
  const location = LOCATIONS[target];
  const errors = fieldErrors(error, location, input);
  const where = [...new Set(errors.map((e) => e.pointer || '(root)'))].join(', ');
  const count = errors.length === 1 ? '1 field is' : `${errors.length} fields are`;
  return new ProblemError(PROBLEM_BY_LOCATION[location], `${count} invalid in the ${location}: ${where}.`, { errors });
}

/** Default hook of every router: a failed validation becomes one problem listing every bad field. */
export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result) => {
  // @hono/zod-validator passes the validated input as `data` on failure too; its type omits it.
  const input = (result as { data?: unknown }).data;
  if (!result.success) throw validationProblem(result.target as Target, result.error, input);
};
