/**
 * Secrets the worker must read back (webhook signing secrets) are stored encrypted: AES-256-GCM
 * under a key derived with HKDF-SHA-256 from the HASH_SECRET binding, so a database dump alone does
 * not reveal them. The additional data binds a ciphertext to its row (`context`, e.g. the endpoint
 * id), so it cannot be copied onto another endpoint. Format: `v1.<base64 iv>.<base64 ciphertext>`.
 */
import { fromBase64, toBase64 } from './base64.ts';

const encoder = new TextEncoder();
const INFO = 'service-culture/secret-box/v1';

type AesKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

async function boxKey(masterSecret: string): Promise<AesKey> {
  const material = await crypto.subtle.importKey('raw', encoder.encode(masterSecret), 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode(INFO) },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

export async function sealSecret(masterSecret: string, context: string, plaintext: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(context) },
    await boxKey(masterSecret),
    encoder.encode(plaintext),
  );
  return `v1.${toBase64(iv)}.${toBase64(new Uint8Array(sealed))}`;
}

/** Throws when the ciphertext was altered, moved to another `context` or sealed under another secret. */
export async function openSecret(masterSecret: string, context: string, sealed: string): Promise<string> {
  const [version, iv, data] = sealed.split('.');
  if (version !== 'v1' || !iv || !data) throw new Error('not a sealed secret');
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: fromBase64(iv), additionalData: encoder.encode(context) },
    await boxKey(masterSecret),
    fromBase64(data),
  );
  return new TextDecoder().decode(plain);
}
