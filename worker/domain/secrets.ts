import { toBase64url } from './base64.ts';

/**
 * Secrets are a 4-character prefix that says what they are, then 32 base64url characters (192
 * random bits): `sck_` for API keys, `scs_` for partner client secrets.
 */
export const API_KEY_PREFIX = 'sck_';
export const CLIENT_SECRET_PREFIX = 'scs_';
const SECRET_BYTES = 24;
const API_KEY_PATTERN = /^sck_[A-Za-z0-9_-]{32}$/;
const CLIENT_SECRET_PATTERN = /^scs_[A-Za-z0-9_-]{32}$/;
/** How much of a secret is kept in clear to tell secrets apart: the prefix and 8 characters (48 bits). */
const DISPLAY_CHARS = 8;

export interface GeneratedSecret {
  /** Shown to the caller once and never stored. */
  secret: string;
  displayPrefix: string;
  /** Hex SHA-256 of the secret: the only form stored. */
  hash: string;
}

async function generateSecret(prefix: string): Promise<GeneratedSecret> {
  const secret = prefix + toBase64url(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
  return { secret, displayPrefix: secret.slice(0, prefix.length + DISPLAY_CHARS), hash: await sha256Hex(secret) };
}

export const generateApiKey = () => generateSecret(API_KEY_PREFIX);
export const generateClientSecret = () => generateSecret(CLIENT_SECRET_PREFIX);

/** Cheap shape check, so garbage is refused without a database round trip. */
export function looksLikeApiKey(token: string): boolean {
  return API_KEY_PATTERN.test(token);
}

export function looksLikeClientSecret(secret: string): boolean {
  return CLIENT_SECRET_PATTERN.test(secret);
}

/**
 * A high-entropy secret needs no slow KDF: SHA-256 is preimage-resistant and lets the lookup be
 * one indexed equality match.
 */
export async function sha256Hex(value: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
