import type { Database } from './db/client.ts';
import type { Principal } from './http/auth.ts';

/** Bindings declared in wrangler.toml (vars) and set as secrets; typed once, here. */
export interface Env {
  /** Postgres URL of the app role. In production a Neon URL (secret). */
  DATABASE_URL: string;
  /** Bearer token of the operator, who creates tenants (secret). */
  OPERATOR_TOKEN: string;
  /**
   * Local development and tests only: base URL of the local Neon endpoint that stands in for Neon.
   * Unset in production, where the driver's defaults reach Neon.
   */
  LOCAL_NEON_ENDPOINT?: string;
}

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    db: Database;
    /** Who is calling; set by the auth middleware on routes that require credentials. */
    principal?: Principal;
  };
}
