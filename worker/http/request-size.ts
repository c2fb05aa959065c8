import type { BatchItem } from 'drizzle-orm/batch';
import { batchRequestBytes, NEON_MAX_REQUEST_BYTES } from '../db/neon-limits.ts';
import { ProblemError } from './problem.ts';

/**
 * Room left in the database request for what a write adds around its statements: the tenant
 * context, the Idempotency-Key claim with the response it stores (a batch's 1,000 ids: about 50 KB
 * encoded), the envelope.
 */
const ENVELOPE_BYTES = 256 * 1024;

/**
 * Refuses, with 413 and before any round trip, a write whose one database request would pass Neon's
 * 10 MiB cap: Neon would refuse it anyway, and the client would get a 500 for a body the schema
 * accepted. The body limit cannot promise this alone: JSON escaping inside the request makes a
 * comment of quotes or control characters weigh up to seven times its length, so a batch's worst
 * case is far over the cap while most batches are far under it. `what` names the write in the detail.
 */
export function assertFitsDatabaseRequest(writes: readonly BatchItem<'pg'>[], what: string): void {
  const bytes = batchRequestBytes(writes);
  const max = NEON_MAX_REQUEST_BYTES - ENVELOPE_BYTES;
  if (bytes <= max) return;
  throw new ProblemError(
    'payloadTooLarge',
    `Stored, ${what} would be a database request of ${bytes} bytes; the database takes at most ${NEON_MAX_REQUEST_BYTES} bytes ` +
      `(10 MiB) per request, of which ${max} for the data. Send it in smaller batches: quotes, backslashes and control ` +
      `characters in text weigh more than other characters.`,
  );
}
