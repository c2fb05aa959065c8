import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { createUuidv7Generator, uuidv7 } from '../../worker/domain/ids.ts';
import { isRegionCode, REGION_CODES } from '../../worker/domain/regions.ts';
import { generateApiKey, parseApiKey, sha256Hex } from '../../worker/domain/secrets.ts';

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

describe('uuidv7 ordering (RFC 9562 §6.2 method 1: rand_a is a counter)', () => {
  const NOW = 1_700_000_000_000;
  /** The 48-bit timestamp and the 12-bit counter of an id. */
  const fields = (id: string) => {
    const hex = id.replaceAll('-', '');
    return { ms: parseInt(hex.slice(0, 12), 16), counter: parseInt(hex.slice(13, 16), 16) };
  };
  /** The ids that are not greater than the one before them. */
  const outOfOrder = (ids: string[]) => ids.filter((id, i) => i > 0 && id <= ids[i - 1]!);

  test('1,000 ids in one millisecond strictly increase, all with that timestamp', () => {
    const next = createUuidv7Generator();
    const ids = Array.from({ length: 1000 }, () => next(NOW));
    expect(outOfOrder(ids)).toEqual([]);
    expect(new Set(ids.map((id) => fields(id).ms))).toEqual(new Set([NOW]));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('the counter starts at random each millisecond, below its guard bit, then counts by one', () => {
    const next = createUuidv7Generator();
    const firsts = Array.from({ length: 200 }, (_, i) => fields(next(NOW + i)).counter);
    expect(Math.max(...firsts)).toBeLessThan(0x800);
    expect(new Set(firsts).size).toBeGreaterThan(100);
    const [a, b, c] = [next(NOW + 1000), next(NOW + 1000), next(NOW + 1000)].map((id) => fields(id).counter);
    expect([b! - a!, c! - b!]).toEqual([1, 1]);
  });

  test('ids across milliseconds sort by time, then by order of creation', () => {
    const next = createUuidv7Generator();
    const ids = [NOW, NOW, NOW + 1, NOW + 1, NOW + 1, NOW + 5, NOW + 1_000].map((now) => next(now));
    expect(outOfOrder(ids)).toEqual([]);
    expect(ids.map((id) => fields(id).ms)).toEqual([NOW, NOW, NOW + 1, NOW + 1, NOW + 1, NOW + 5, NOW + 1_000]);
    expect([...ids].reverse().sort()).toEqual(ids);
  });

  test('a counter overflow moves the timestamp 1 ms ahead, and the real clock catches up', () => {
    const next = createUuidv7Generator();
    const ids = Array.from({ length: 10_000 }, () => next(NOW));
    expect(outOfOrder(ids)).toEqual([]);
    const times = ids.map((id) => fields(id).ms);
    // At least 2,048 and at most 4,096 ids fit in one millisecond.
    expect(times.at(-1)! - NOW).toBeGreaterThanOrEqual(2);
    expect(times.at(-1)! - NOW).toBeLessThanOrEqual(4);
    const later = next(NOW + 1);
    expect(later > ids.at(-1)!).toBe(true);
    expect(fields(next(NOW + 10)).ms).toBe(NOW + 10);
  });

  test('a clock that goes back does not break the order', () => {
    const next = createUuidv7Generator();
    const ids = [next(NOW), next(NOW - 1), next(NOW - 60_000), next(NOW)];
    expect(outOfOrder(ids)).toEqual([]);
    expect(ids.map((id) => fields(id).ms)).toEqual([NOW, NOW, NOW, NOW]);
  });

  test('the shared generator keeps the order across calls without a time', () => {
    const ids = Array.from({ length: 1000 }, () => uuidv7());
    expect(outOfOrder(ids)).toEqual([]);
  });
});

describe('API key secrets', () => {
  const tenantId = crypto.randomUUID();
  test('are sck_, 32 base64url characters (192 bits), then their tenant and key ids; with a short display prefix', async () => {
    const keyId = crypto.randomUUID();
    const key = await generateApiKey(tenantId, keyId);
    expect(key.secret).toMatch(/^sck_[A-Za-z0-9_-]{76}$/);
    expect(key.displayPrefix).toBe(key.secret.slice(0, 12));
    expect(parseApiKey(key.secret)).toEqual({ address: { tenantId, keyId } });
  });

  test('issued before they named their tenant still look like keys, without an address', () => {
    expect(parseApiKey(`sck_${'a'.repeat(32)}`)).toEqual({ address: undefined });
  });

  test('are stored as their SHA-256 only', async () => {
    const key = await generateApiKey(tenantId, crypto.randomUUID());
    expect(key.hash).toBe(createHash('sha256').update(key.secret).digest('hex'));
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  test('never repeat', async () => {
    const secrets = await Promise.all(Array.from({ length: 200 }, () => generateApiKey(tenantId, crypto.randomUUID())));
    expect(new Set(secrets.map((k) => k.secret)).size).toBe(200);
  });

  test('refuse tokens of the wrong shape without a lookup', () => {
    for (const token of ['', 'sck_', 'sck_short', `sk_${'a'.repeat(32)}`, `sck_${'a'.repeat(31)}!`, `sck_${'a'.repeat(33)}`, `sck_${'a'.repeat(75)}`, `sck_${'a'.repeat(77)}`]) {
      expect(parseApiKey(token)).toBeUndefined();
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
