/**
 * Keyed hashes (HMAC-SHA-256) for personal references: the same input under the same tenant gives
 * the same hash, so a customer's ratings can be found and erased, but the input cannot be recovered
 * or guessed from the database without the secret. Each tenant gets its own derived key, so one
 * tenant's hashes say nothing about another's.
 */
const encoder = new TextEncoder();

/** An HMAC key; spelled through `crypto.subtle` so the type exists under Node's typings too. */
export type HashKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

function hex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function hmacKey(raw: Uint8Array | ArrayBuffer): Promise<HashKey> {
  return crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

/** The tenant's own key: HMAC(secret, "tenant:" + tenantId). */
export async function tenantHashKey(secret: string, tenantId: string): Promise<HashKey> {
  const derived = await crypto.subtle.sign('HMAC', await hmacKey(encoder.encode(secret)), encoder.encode(`tenant:${tenantId}`));
  return hmacKey(derived);
}

/** Hex HMAC of `value` under a key from `tenantHashKey`; `purpose` keeps hashes of different kinds apart. */
export async function keyedHash(key: HashKey, purpose: string, value: string): Promise<string> {
  return hex(await crypto.subtle.sign('HMAC', key, encoder.encode(`${purpose}\n${value}`)));
}

/**
 * A UUID (version 8, "custom") derived from `value` under `secret`: the same input always names the
 * same row, so a retried creation finds what its first attempt created.
 */
export async function derivedUuid(secret: string, purpose: string, value: string): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(encoder.encode(secret)), encoder.encode(`${purpose}\n${value}`))).slice(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
