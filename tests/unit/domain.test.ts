import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { uuidv7 } from '../../worker/domain/ids.ts';
import { isRegionCode, REGION_CODES } from '../../worker/domain/regions.ts';
import { generateApiKey, looksLikeApiKey, sha256Hex } from '../../worker/domain/secrets.ts';

describe('uuidv7', () => {
  test('is an RFC 9562 version 7 UUID carrying the time', () => {
    const id = uuidv7(0x0123456789ab);
    expect(id).toMatch(/^01234567-89ab-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('sorts by creation time', () => {
    const ids = [uuidv7(1_000), uuidv7(2_000), uuidv7(1_700_000_000_000)];
    expect([...ids].sort()).toEqual(ids);
  });

  test('differs within the same millisecond', () => {
    expect(new Set(Array.from({ length: 1000 }, () => uuidv7(5))).size).toBe(1000);
  });
});

describe('API key secrets', () => {
  test('are sck_ and 32 base64url characters (192 bits), with a short display prefix', async () => {
    const key = await generateApiKey();
    expect(key.secret).toMatch(/^sck_[A-Za-z0-9_-]{32}$/);
    expect(key.displayPrefix).toBe(key.secret.slice(0, 12));
    expect(looksLikeApiKey(key.secret)).toBe(true);
  });

  test('are stored as their SHA-256 only', async () => {
    const key = await generateApiKey();
    expect(key.hash).toBe(createHash('sha256').update(key.secret).digest('hex'));
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  test('never repeat', async () => {
    const secrets = await Promise.all(Array.from({ length: 200 }, () => generateApiKey()));
    expect(new Set(secrets.map((k) => k.secret)).size).toBe(200);
  });

  test('refuse tokens of the wrong shape without a lookup', () => {
    for (const token of ['', 'sck_', 'sck_short', `sk_${'a'.repeat(32)}`, `sck_${'a'.repeat(31)}!`, `sck_${'a'.repeat(33)}`]) {
      expect(looksLikeApiKey(token)).toBe(false);
    }
  });
});

describe('regions', () => {
  test('are the 249 assigned ISO 3166-1 alpha-2 codes', () => {
    expect(REGION_CODES.size).toBe(249);
    for (const code of ['ES', 'MX', 'US', 'CN', 'GB', 'SS', 'AQ']) expect(isRegionCode(code)).toBe(true);
  });

  test('exclude reserved, withdrawn and lower-case codes', () => {
    for (const code of ['EU', 'UK', 'XK', 'ZZ', 'YU', 'es', 'ESP', '']) expect(isRegionCode(code)).toBe(false);
  });
});
