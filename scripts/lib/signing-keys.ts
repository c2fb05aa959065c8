/**
 * Access-token signing keys for the `JWT_SIGNING_KEYS` secret. `npm start` and the tests generate
 * their own; run this file to print a fresh secret for production:
 * `npx tsx scripts/lib/signing-keys.ts | npx wrangler secret put JWT_SIGNING_KEYS`.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SigningJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  d: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

/** A new ES256 private key as a JWK; the kid starts with the date, to tell old keys from new. */
export function generateSigningKey(): SigningJwk {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { x, y, d } = privateKey.export({ format: 'jwk' });
  const kid = `${new Date().toISOString().slice(0, 10)}-${randomBytes(4).toString('hex')}`;
  return { kty: 'EC', crv: 'P-256', x: x!, y: y!, d: d!, kid, alg: 'ES256', use: 'sig' };
}

/** The secret's value: a JSON array of private JWKs, the signing key first. */
export function generateSigningKeys(): string {
  return JSON.stringify([generateSigningKey()]);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(generateSigningKeys());
}
