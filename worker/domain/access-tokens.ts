import { createLocalJWKSet, type CryptoKey, errors, importJWK, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { SCOPES, type Scope } from '../../db/schema.ts';
import { uuidv7 } from './ids.ts';
import { parseScope } from './scopes.ts';

/** Short-lived, so a signing key can be dropped 15 minutes after a newer one starts signing. */
export const ACCESS_TOKEN_TTL_SECONDS = 900;
const ALGORITHM = 'ES256';
/** RFC 9068's media type for JWT access tokens: another kind of JWT signed with our keys is refused. */
const TOKEN_TYPE = 'at+jwt';
const CLOCK_TOLERANCE_SECONDS = 30;

const PrivateJwkSchema = z.object({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string(),
  y: z.string(),
  d: z.string(),
  kid: z.string().min(1),
});
const SigningKeysSchema = z
  .array(PrivateJwkSchema)
  .min(1)
  .refine((keys) => new Set(keys.map((key) => key.kid)).size === keys.length);

export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: typeof ALGORITHM;
  use: 'sig';
}

export interface SigningKeys {
  /** The first key of the secret signs; the others only verify (rotation). */
  signing: { kid: string; key: CryptoKey };
  /** Public parts of every key: what `/.well-known/jwks.json` publishes. */
  jwks: { keys: PublicJwk[] };
  verificationKey: ReturnType<typeof createLocalJWKSet>;
}

async function importSigningKeys(secret: string): Promise<SigningKeys> {
  let keys: z.infer<typeof SigningKeysSchema>;
  try {
    keys = SigningKeysSchema.parse(JSON.parse(secret));
  } catch {
    // No cause: JSON.parse quotes the input, and the input is private keys.
    throw new Error('JWT_SIGNING_KEYS must be a JSON array of EC P-256 private JWKs, each with its own kid');
  }
  const publicKeys = keys.map(({ kty, crv, x, y, kid }): PublicJwk => ({ kty, crv, x, y, kid, alg: ALGORITHM, use: 'sig' }));
  const signing = keys[0]!;
  return {
    signing: { kid: signing.kid, key: (await importJWK(signing, ALGORITHM)) as CryptoKey },
    jwks: { keys: publicKeys },
    verificationKey: createLocalJWKSet({ keys: publicKeys }),
  };
}

let cached: { secret: string; keys: Promise<SigningKeys> } | undefined;

/** The `JWT_SIGNING_KEYS` secret, parsed and imported once per isolate. */
export function signingKeys(secret: string): Promise<SigningKeys> {
  if (cached?.secret !== secret) cached = { secret, keys: importSigningKeys(secret) };
  return cached.keys;
}

/** Who issues tokens and for whom: `iss` and `aud`, and the keys. */
export interface TokenIssuer {
  keys: SigningKeys;
  issuer: string;
  audience: string;
}

export interface AccessTokenClaims {
  /** `sub` and `client_id` (RFC 9068 §2.2): the partner client, which acts for itself in client credentials. */
  clientId: string;
  /** `tenant`: the tenant the client acts for. */
  tenantId: string;
  /** `scope`, as a list. */
  scopes: Scope[];
}

export function signAccessToken({ keys, issuer, audience }: TokenIssuer, claims: AccessTokenClaims): Promise<string> {
  const now = Date.now();
  const issuedAt = Math.floor(now / 1000);
  return new SignJWT({ client_id: claims.clientId, tenant: claims.tenantId, scope: claims.scopes.join(' ') })
    .setProtectedHeader({ alg: ALGORITHM, kid: keys.signing.kid, typ: TOKEN_TYPE })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject(claims.clientId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ACCESS_TOKEN_TTL_SECONDS)
    .setJti(uuidv7(now))
    .sign(keys.signing.key);
}

/** A token that does not verify; the message says why, for the 401's detail. */
export class TokenRefused extends Error {
  override readonly name = 'TokenRefused';
}

const REASONS: Record<string, string> = {
  ERR_JWT_EXPIRED: 'The access token has expired.',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'The access token signature is not valid.',
  ERR_JOSE_ALG_NOT_ALLOWED: `The access token is not signed with ${ALGORITHM}.`,
  ERR_JWKS_NO_MATCHING_KEY: 'The access token is signed with an unknown key.',
};

function refusal(error: errors.JOSEError): TokenRefused {
  if (error instanceof errors.JWTClaimValidationFailed) return new TokenRefused(`The access token was refused: ${error.message}.`);
  return new TokenRefused(REASONS[error.code] ?? 'The access token is malformed.');
}

const ClaimsSchema = z
  .object({
    sub: z.uuid(),
    // Optional only so that tokens signed before the claim existed live out their 15 minutes.
    client_id: z.uuid().optional(),
    tenant: z.uuid(),
    scope: z.string().transform(parseScope).pipe(z.array(z.enum(SCOPES))),
  })
  .refine((claims) => claims.client_id === undefined || claims.client_id === claims.sub);

/** Verifies signature, algorithm, type, issuer, audience and lifetime; throws `TokenRefused`. */
export async function verifyAccessToken({ keys, issuer, audience }: TokenIssuer, token: string): Promise<AccessTokenClaims> {
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, keys.verificationKey, {
      algorithms: [ALGORITHM],
      typ: TOKEN_TYPE,
      issuer,
      audience,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      // Caps a token's life even if its exp says otherwise.
      maxTokenAge: ACCESS_TOKEN_TTL_SECONDS,
      requiredClaims: ['sub', 'tenant', 'scope', 'exp', 'jti'],
    }));
  } catch (error) {
    if (error instanceof errors.JOSEError) throw refusal(error);
    throw error;
  }
  const claims = ClaimsSchema.safeParse(payload);
  if (!claims.success) throw new TokenRefused('The access token claims are malformed.');
  return { clientId: claims.data.sub, tenantId: claims.data.tenant, scopes: claims.data.scope };
}
