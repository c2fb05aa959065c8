import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { openSecret, sealSecret } from '../../domain/secret-box.ts';
import type { AppEnv } from '../../env.ts';

/**
 * The dashboard's session: the API key the user signed in with, sealed (AES-GCM, worker/domain/secret-box.ts,
 * under HASH_SECRET) with its expiry into an HttpOnly, SameSite=Strict cookie scoped to /dashboard. The
 * page never holds the key; a stolen cookie expires with the session, and an altered one does not open.
 */
export const SESSION_COOKIE = 'sc_dashboard';
export const SESSION_SECONDS = 30 * 60;
export const DASHBOARD_PATH = '/dashboard';
/** The additional data of the seal: a sealed webhook secret cannot pass as a session, nor the reverse. */
const CONTEXT = 'dashboard-session/v1';

/** `Secure` everywhere but plain http on loopback, where `npm start` and the tests serve. */
function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

export async function startSession(c: Context<AppEnv>, apiKey: string): Promise<void> {
  const expiresAt = Date.now() + SESSION_SECONDS * 1000;
  const sealed = await sealSecret(c.env.HASH_SECRET, CONTEXT, JSON.stringify({ key: apiKey, exp: expiresAt }));
  setCookie(c, SESSION_COOKIE, sealed, {
    path: DASHBOARD_PATH,
    httpOnly: true,
    secure: !isLoopbackHttp(new URL(c.req.url)),
    sameSite: 'Strict',
    maxAge: SESSION_SECONDS,
  });
}

/** The signed-in API key, or null when there is no session, it expired, or the cookie was tampered with. */
export async function sessionKey(c: Context<AppEnv>): Promise<string | null> {
  const sealed = getCookie(c, SESSION_COOKIE);
  if (!sealed) return null;
  try {
    const { key, exp } = JSON.parse(await openSecret(c.env.HASH_SECRET, CONTEXT, sealed)) as { key: unknown; exp: unknown };
    return typeof key === 'string' && typeof exp === 'number' && exp > Date.now() ? key : null;
  } catch {
    return null;
  }
}

export function endSession(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: DASHBOARD_PATH, httpOnly: true, secure: !isLoopbackHttp(new URL(c.req.url)), sameSite: 'Strict' });
}
