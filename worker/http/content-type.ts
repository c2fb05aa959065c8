import type { MiddlewareHandler } from 'hono';
import { ProblemError } from './problem.ts';

const JSON_MEDIA_TYPE = /^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i;

export interface RequireMediaTypeOptions {
  /** Media types accepted besides JSON, e.g. `application/x-www-form-urlencoded` for OAuth. */
  also?: string[];
}

/**
 * Answers 415 to a request that carries a body in anything but JSON, before validation would
 * misreport it as missing fields. Requests without a body pass: validation reports what is missing.
 */
export function requireJsonBody({ also = [] }: RequireMediaTypeOptions = {}): MiddlewareHandler {
  return async function requireJsonBody(c, next) {
    const hasBody = c.req.header('transfer-encoding') !== undefined || Number(c.req.header('content-length') ?? 0) > 0;
    if (hasBody) {
      const contentType = c.req.header('content-type') ?? '';
      const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
      if (!JSON_MEDIA_TYPE.test(contentType) && !also.includes(mediaType)) {
        throw new ProblemError(
          'unsupportedMediaType',
          contentType
            ? `Content-Type '${contentType.slice(0, 100)}' is not supported; send application/json.`
            : 'The body has no Content-Type; send application/json.',
          { headers: { [c.req.method === 'PATCH' ? 'Accept-Patch' : 'Accept-Post']: ['application/json', ...also].join(', ') } },
        );
      }
    }
    await next();
  };
}
