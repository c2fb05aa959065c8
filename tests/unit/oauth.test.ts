import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { describe, expect, test } from 'vitest';
import { generateSigningKey } from '../../scripts/lib/signing-keys.ts';
import {
  ACCESS_TOKEN_TTL_SECONDS,
  signAccessToken,
  signingKeys,
  type TokenIssuer,
  TokenRefused,
  verifyAccessToken,
} from '../../worker/domain/access-tokens.ts';
import { parseScope, scopesBeyond } from '../../worker/domain/scopes.ts';
import { generateApiKey, generateClientSecret, looksLikeClientSecret, parseApiKey } from '../../worker/domain/secrets.ts';
import { OAuthError, parseTokenRequest, type TokenRequestInput } from '../../worker/routes/oauth/token-request.ts';

describe('client secrets', () => {
  test('are scs_ and 32 base64url characters (192 bits), told apart from API keys', async () => {
    const { secret, displayPrefix, hash } = await generateClientSecret();
    expect(secret).toMatch(/^scs_[A-Za-z0-9_-]{32}$/);
    expect(displayPrefix).toBe(secret.slice(0, 12));
    expect(hash).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(looksLikeClientSecret(secret)).toBe(true);
    expect(parseApiKey(secret)).toBeUndefined();
    expect(looksLikeClientSecret((await generateApiKey(crypto.randomUUID(), crypto.randomUUID())).secret)).toBe(false);
  });
});

describe('parseScope', () => {
  test('reads space-separated scope names, once each', () => {
    expect(parseScope('ratings:read  reports:read ratings:read')).toEqual(['ratings:read', 'reports:read']);
    expect(parseScope('')).toEqual([]);
  });

  test('is undefined when a name is unknown (scope names are case-sensitive)', () => {
    expect(parseScope('ratings:read everything')).toBeUndefined();
    expect(parseScope('ADMIN')).toBeUndefined();
  });
});

describe('scopesBeyond', () => {
  test('lists what the holder lacks; admin covers every scope', () => {
    expect(scopesBeyond(['ratings:read'], ['ratings:read', 'reports:read'])).toEqual(['reports:read']);
    expect(scopesBeyond(['admin'], ['ratings:write', 'reports:read'])).toEqual([]);
    expect(scopesBeyond(['ratings:write'], ['admin'])).toEqual(['admin']);
  });
});

describe('parseTokenRequest', () => {
  const clientId = '0190f5d2-1234-7000-8000-000000000001';
  const clientSecret = `scs_${'a'.repeat(32)}`;
  const form = (body: string, authorization?: string): TokenRequestInput => ({
    contentType: 'application/x-www-form-urlencoded',
    body,
    authorization,
  });
  const refusal = (input: TokenRequestInput) => {
    try {
      parseTokenRequest(input);
    } catch (error) {
      if (error instanceof OAuthError) return { code: error.code, status: error.status };
      throw error;
    }
    throw new Error('not refused');
  };

  test('reads body credentials and the scope', () => {
    const body = `grant_type=client_credentials&client_id=${clientId}&client_secret=${clientSecret}&scope=ratings%3Aread+reports:read`;
    expect(parseTokenRequest(form(body))).toEqual({ clientId, clientSecret, scopes: ['ratings:read', 'reports:read'] });
  });

  test('reads Basic credentials, form-decoding each part, and accepts a charset parameter', () => {
    const basic = `Basic ${btoa(`${clientId}:${clientSecret.replace('_', '%5F')}`)}`;
    const input = { ...form('grant_type=client_credentials', basic), contentType: 'Application/X-WWW-Form-Urlencoded; charset=UTF-8' };
    expect(parseTokenRequest(input)).toEqual({ clientId, clientSecret });
  });

  test('treats an empty parameter as absent (RFC 6749 §3.2)', () => {
    expect(parseTokenRequest(form(`grant_type=client_credentials&scope=&client_id=${clientId}&client_secret=${clientSecret}`))).toEqual({
      clientId,
      clientSecret,
    });
  });

  test.each([
    ['a JSON content type', { contentType: 'application/json', body: '{}', authorization: undefined }, 'invalid_request'],
    ['no content type', { contentType: undefined, body: '', authorization: undefined }, 'invalid_request'],
    ['no grant_type', form(`client_id=${clientId}&client_secret=${clientSecret}`), 'invalid_request'],
    ['another grant type', form('grant_type=authorization_code'), 'unsupported_grant_type'],
    ['a repeated parameter', form('grant_type=client_credentials&scope=admin&scope=admin'), 'invalid_request'],
    [
      'two client authentications',
      form(`grant_type=client_credentials&client_id=${clientId}`, `Basic ${btoa(`${clientId}:${clientSecret}`)}`),
      'invalid_request',
    ],
    ['no client authentication', form('grant_type=client_credentials'), 'invalid_client'],
    ['Basic without a colon', form('grant_type=client_credentials', `Basic ${btoa(clientId)}`), 'invalid_client'],
    ['Basic with a bad %-escape', form('grant_type=client_credentials', `Basic ${btoa(`${clientId}:%zz`)}`), 'invalid_client'],
    ['a client id that is no UUID', form(`grant_type=client_credentials&client_id=x&client_secret=${clientSecret}`), 'invalid_client'],
    ['a secret of the wrong shape', form(`grant_type=client_credentials&client_id=${clientId}&client_secret=sck_x`), 'invalid_client'],
    [
      'an unknown scope',
      form(`grant_type=client_credentials&client_id=${clientId}&client_secret=${clientSecret}&scope=everything`),
      'invalid_scope',
    ],
    [
      'a scope of only spaces',
      form(`grant_type=client_credentials&client_id=${clientId}&client_secret=${clientSecret}&scope=+++`),
      'invalid_scope',
    ],
  ])('refuses %s', (_, input, code) => {
    expect(refusal(input)).toEqual({ code, status: code === 'invalid_client' ? 401 : 400 });
  });
});

describe('access tokens', () => {
  const key = generateSigningKey();
  const issuerOf = async (keys: object[]): Promise<TokenIssuer> => ({
    keys: await signingKeys(JSON.stringify(keys)),
    issuer: 'https://issuer.test',
    audience: 'api.test',
  });
  const claims = { clientId: '0190f5d2-1234-7000-8000-000000000001', tenantId: '0190f5d2-1234-7000-8000-000000000002', scopes: ['ratings:read' as const] };

  test('round-trip: what is signed verifies to the same claims, for 15 minutes', async () => {
    const issuer = await issuerOf([key]);
    const token = await signAccessToken(issuer, claims);
    expect(await verifyAccessToken(issuer, token)).toEqual(claims);
    const { iat, exp } = decodeJwt(token);
    expect(exp! - iat!).toBe(ACCESS_TOKEN_TTL_SECONDS);
  });

  test('keys are imported once per secret value', async () => {
    const secret = JSON.stringify([key]);
    expect(signingKeys(secret)).toBe(signingKeys(secret));
  });

  test('the JWKS carries public parts only', async () => {
    const { jwks } = await signingKeys(JSON.stringify([key, generateSigningKey()]));
    expect(jwks.keys).toHaveLength(2);
    for (const published of jwks.keys) expect(Object.keys(published).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
  });

  test('a token of another issuer or audience is refused with the reason', async () => {
    const token = await signAccessToken(await issuerOf([key]), claims);
    const other = { ...(await issuerOf([key])), audience: 'other.test' };
    await expect(verifyAccessToken(other, token)).rejects.toThrow(TokenRefused);
    await expect(verifyAccessToken(other, token)).rejects.toThrow(/aud/);
  });

  test.each([
    ['not JSON', 'not json'],
    ['an empty array', '[]'],
    ['a public key', JSON.stringify([{ ...key, d: undefined }])],
    ['an RSA key', JSON.stringify([{ kty: 'RSA', kid: 'r', n: 'x', e: 'AQAB', d: 'x' }])],
    ['two keys with one kid', JSON.stringify([key, { ...generateSigningKey(), kid: key.kid }])],
  ])('a JWT_SIGNING_KEYS secret that is %s is refused without quoting it', async (_, secret) => {
    const error = await signingKeys(secret).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^JWT_SIGNING_KEYS must be/);
    expect((error as Error).message).not.toContain(key.d);
    expect((error as Error).cause).toBeUndefined();
  });
});
