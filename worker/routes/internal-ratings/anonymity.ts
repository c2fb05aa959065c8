import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../env.ts';
import { type FieldError, ProblemError } from '../../http/problem.ts';
import { jsonPointer } from '../../http/validation.ts';

/**
 * Field names that identify a person, compared lower-case without separators (`employee_id`,
 * `EmployeeID` and `employeeId` alike). The strict schemas refuse any unknown field anyway; this
 * gives the refusal its reason, so a partner does not rename the field and try again.
 */
const IDENTIFIER =
  /^(?:(?:employee|staff|person|user|worker|member)(?:id|ref|number|no|code|name|email)?|e?mail(?:address)?|(?:first|last|full|given|family|display|user)?name|phone(?:number)?)$/;

/**
 * Deeper than any internal-rating body nests (batch → items → item → field). Below it, junk is the
 * validator's to refuse: walking a body nested 100,000 deep overflowed the stack (a 500).
 */
const MAX_DEPTH = 8;

function identifierPointers(value: unknown, path: (string | number)[] = []): string[] {
  if (path.length >= MAX_DEPTH) return [];
  if (Array.isArray(value)) return value.flatMap((item, index) => identifierPointers(item, [...path, index]));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) =>
    IDENTIFIER.test(key.toLowerCase().replace(/[^a-z0-9]/g, '')) ? [jsonPointer([...path, key])] : identifierPointers(child, [...path, key]),
  );
}

/** Refuses, before validation, a body with any field that could name the employee, at any depth. */
export function refuseEmployeeIdentifiers(): MiddlewareHandler<AppEnv> {
  return async function refuseEmployeeIdentifiers(c, next) {
    // Unparsable JSON is the validator's to report (400); Hono keeps the parsed body for it.
    const body: unknown = await c.req.json().catch(() => undefined);
    const pointers = identifierPointers(body);
    if (pointers.length > 0) {
      const errors: FieldError[] = pointers.map((pointer) => ({
        location: 'body',
        pointer,
        detail: 'Internal ratings are anonymous: no employee identifier',
      }));
      throw new ProblemError(
        'validation',
        `Internal ratings are anonymous: remove every field that identifies the employee (${pointers.join(', ')}); nothing was stored.`,
        { errors },
      );
    }
    await next();
  };
}
