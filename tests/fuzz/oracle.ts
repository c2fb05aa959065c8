/**
 * What every answer must be, whatever was asked: never a 5xx; a 4xx is problem+json (or what the
 * operation documents for that status, e.g. RFC 6749 errors at /oauth/token); a 2xx has a documented
 * status and content type, and a JSON body valid against the documented schema. The documented
 * response headers hold too: a required one is sent, and each one sent matches its schema (a strict
 * validating proxy checks both).
 */
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

const Ajv2020 = ((Ajv2020Module as any).default ?? Ajv2020Module) as typeof import('ajv/dist/2020.js').default;
const addFormats = ((addFormatsModule as any).default ?? addFormatsModule) as typeof import('ajv-formats').default;

export interface DocumentedOperation {
  method: string;
  path: string;
  operation: any;
}

const pointer = (...parts: string[]) => parts.map((part) => `/${part.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
const isJson = (mediaType: string) => /^application\/([\w.+-]+\+)?json$/.test(mediaType);

export function createOracle(document: any) {
  const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema({ ...document, $id: 'openapi' });
  const validators = new Map<string, ValidateFunction>();
  function validatorFor(op: DocumentedOperation, status: string, mediaType: string): ValidateFunction {
    const ref = `openapi#${pointer('paths', op.path, op.method, 'responses', status, 'content', mediaType, 'schema')}`;
    let validate = validators.get(ref);
    if (!validate) validators.set(ref, (validate = ajv.compile({ $ref: ref })));
    return validate;
  }

  function headerValidatorFor(op: DocumentedOperation, status: string, name: string): ValidateFunction {
    const ref = `openapi#${pointer('paths', op.path, op.method, 'responses', status, 'headers', name, 'schema')}`;
    let validate = validators.get(ref);
    if (!validate) validators.set(ref, (validate = ajv.compile({ $ref: ref })));
    return validate;
  }

  /** Why the response's headers contradict the document, or undefined. */
  function checkHeaders(op: DocumentedOperation, status: string, response: Response): string | undefined {
    const headers: Record<string, { required?: boolean; schema?: unknown }> = op.operation.responses?.[status]?.headers ?? {};
    for (const [name, header] of Object.entries(headers)) {
      const value = response.headers.get(name);
      if (value === null) {
        if (header.required) return `${status} lacks the required header ${name}`;
        continue;
      }
      if (!header.schema) continue;
      const validate = headerValidatorFor(op, status, name);
      const shown = value.slice(0, 100);
      if (!validate(value)) return `${status} header ${name}: '${shown}' ${validate.errors?.[0]?.message}`;
    }
    return undefined;
  }

  /** Why the answer is wrong, or undefined when it is right. */
  return function check(op: DocumentedOperation, response: Response, text: string): string | undefined {
    const { status } = response;
    if (status >= 500) return `${status} server error`;
    return checkHeaders(op, String(status), response) ?? checkStatusAndBody(op, response, text);
  };

  function checkStatusAndBody(op: DocumentedOperation, response: Response, text: string): string | undefined {
    const { status } = response;
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const documented = op.operation.responses?.[String(status)];
    if (status >= 400) {
      const content = documented?.content ?? {};
      const own = Object.keys(content).find((type) => type !== 'application/problem+json' && type === mediaType);
      if (own) return validateBody(op, String(status), own, text);
      if (mediaType !== 'application/problem+json') return `${status} with Content-Type '${mediaType}', not application/problem+json`;
      let body: any;
      try {
        body = JSON.parse(text);
      } catch {
        return `${status} problem+json that is not JSON`;
      }
      if (typeof body?.type !== 'string' || typeof body.title !== 'string' || body.status !== status) {
        return `${status} problem lacks type/title/status: ${text.slice(0, 200)}`;
      }
      if (!documented) return `${status} (${body.type}) is not documented for ${op.method.toUpperCase()} ${op.path}`;
      return undefined;
    }
    if (!documented) return `${status} is not documented for ${op.method.toUpperCase()} ${op.path}`;
    const content = documented.content as Record<string, unknown> | undefined;
    if (!content) return text === '' ? undefined : `${status} documents no body but has one`;
    if (!(mediaType in content)) return `${status} with Content-Type '${mediaType}', documented: ${Object.keys(content).join(', ')}`;
    return validateBody(op, String(status), mediaType, text);
  }

  function validateBody(op: DocumentedOperation, status: string, mediaType: string, text: string): string | undefined {
    if (!isJson(mediaType)) return undefined;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return `${status} ${mediaType} body is not JSON`;
    }
    const validate = validatorFor(op, status, mediaType);
    if (validate(body)) return undefined;
    const [error] = validate.errors ?? [];
    return `${status} body does not match the documented schema: ${error?.instancePath || '(root)'} ${error?.message} ${JSON.stringify(error?.params)}`;
  }
}
