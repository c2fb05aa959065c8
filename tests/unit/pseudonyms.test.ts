import { createHmac } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { type HashKey, keyedHash, tenantHashKey } from '../../worker/domain/pseudonyms.ts';

describe('keyed hashes', () => {
  test('are HMAC-SHA-256 under a per-tenant key derived from the secret', async () => {
    const derived = createHmac('sha256', 'secret').update('tenant:t1').digest();
    const expected = createHmac('sha256', derived).update('customer-ref\nalice@example.com').digest('hex');
    expect(await keyedHash(await tenantHashKey('secret', 't1'), 'customer-ref', 'alice@example.com')).toBe(expected);
  });

  test('differ by tenant, by purpose and by secret, and repeat for the same input', async () => {
    const t1 = await tenantHashKey('secret', 't1');
    const hash = (key: HashKey, purpose = 'customer-ref') => keyedHash(key, purpose, 'alice');
    expect(await hash(t1)).toBe(await hash(await tenantHashKey('secret', 't1')));
    expect(await hash(t1)).not.toBe(await hash(await tenantHashKey('secret', 't2')));
    expect(await hash(t1)).not.toBe(await hash(t1, 'request'));
    expect(await hash(t1)).not.toBe(await hash(await tenantHashKey('other', 't1')));
  });
});
