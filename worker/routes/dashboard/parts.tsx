import type { ApiResult } from './data.ts';

/** A link to the API call a figure came from. */
export const Source = ({ result }: { result: ApiResult<unknown> }) => (
  <a class="source" href={result.path}>
    API: GET {result.path}
  </a>
);

export const Unavailable = ({ result, what }: { result: ApiResult<unknown>; what: string }) => (
  <p class="unavailable">
    {what} is not available: {result.problem} <Source result={result} />
  </p>
);
