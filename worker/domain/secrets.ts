import { fromBase64, toBase64url } from './base64.ts';

/**
 * Secrets are a 4-character prefix that says what they are, then 32 base64url characters (192
 * random bits): `sck_` for API keys, `scs_` for partner client secrets. An API key then names its
 * tenant and its own id (22 base64url characters each), so a request knows whose it is before the
 * database answers and can send the key check, the tenant context and its work in one round trip.
 */
export const API_KEY_PREFIX = 'sck_';
export const CLIENT_SECRET_PREFIX = 'scs_';
const SECRET_BYTES = 24;
const API_KEY_PATTERN = /^sck_[A-Za-z0-9_-]{32}([A-Za-z0-9_-]{22})([A-Za-z0-9_-]{22})$/;
/** Keys issued before keys named their tenant: still valid, checked in a round trip of their own. */
const UNADDRESSED_API_KEY_PATTERN = /^sck_[A-Za-z0-9_-]{32}$/;
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

async function generateSecret(prefix: string, suffix = ''): Promise<GeneratedSecret> {
  const secret = prefix + toBase64url(crypto.getRandomValues(new Uint8Array(SECRET_BYTES))) + suffix;
  return { secret, displayPrefix: secret.slice(0, prefix.length + DISPLAY_CHARS), hash: await sha256Hex(secret) };
}

/** A new API key of key `keyId` of tenant `tenantId`; the random part comes first, so display prefixes differ. */
export const generateApiKey = (tenantId: string, keyId: string) => generateSecret(API_KEY_PREFIX, uuidToBase64url(tenantId) + uuidToBase64url(keyId));
export const generateClientSecret = () => generateSecret(CLIENT_SECRET_PREFIX);

/** What an API key says of itself: its tenant and key ids, or nothing for a key issued before they were in it. */
export type ApiKeyAddress = { tenantId: string; keyId: string } | undefined;

/** Cheap shape check, so garbage is refused without a database round trip; undefined when it is no API key. */
export function parseApiKey(token: string): { address: ApiKeyAddress } | undefined {
  const match = API_KEY_PATTERN.exec(token);
  if (match) return { address: { tenantId: base64urlToUuid(match[1]!), keyId: base64urlToUuid(match[2]!) } };
  return UNADDRESSED_API_KEY_PATTERN.test(token) ? { address: undefined } : undefined;
}

function uuidToBase64url(uuid: string): string {
  return toBase64url(Uint8Array.from(uuid.replaceAll('-', '').match(/../g)!, (hex) => Number.parseInt(hex, 16)));
}

function base64urlToUuid(text: string): string {
  const hex = Array.from(fromBase64(text.replaceAll('-', '+').replaceAll('_', '/') + '=='), (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
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
