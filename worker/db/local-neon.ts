import type { neonConfig as NeonConfig } from '@neondatabase/serverless';

/**
 * Points the Neon driver at the local Neon endpoint (scripts/lib/neon-endpoint.ts) instead of Neon.
 * Only called when a binding names that endpoint: in production the driver's defaults reach Neon.
 * `neonConfig` is process-wide, so this is idempotent and every caller passes the same endpoint.
 *
 * @param config the driver's `neonConfig`
 * @param endpoint base URL of the local endpoint, e.g. `http://127.0.0.1:24480`
 */
export function useLocalNeonEndpoint(config: typeof NeonConfig, endpoint: string): void {
  const base = new URL(endpoint);
  config.fetchEndpoint = () => new URL('/sql', base).href;
  config.wsProxy = (host, port) => `${base.host}/v1?address=${host}:${port}`;
  config.useSecureWebSocket = base.protocol === 'https:';
  config.pipelineTLS = false;
  config.pipelineConnect = false;
}
