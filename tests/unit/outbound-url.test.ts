import { describe, expect, test } from 'vitest';
import { checkOutboundUrl, parseIPv6 } from '../../worker/domain/outbound-url.ts';

const production = { allowLoopback: false };
const local = { allowLoopback: true };

describe('outbound URL (SSRF) check, production rules', () => {
  test.each([
    'https://hooks.example.com/path?x=1',
    'https://hooks.example.com:8443/',
    'https://hooks.example.com:443/',
    'https://93.184.216.34/hook',
    'https://[2606:4700:4700::1111]/hook',
    'https://EXAMPLE.com./hook',
  ])('allows %s', (url) => {
    expect(checkOutboundUrl(url, production)).toMatchObject({ ok: true });
  });

  test.each([
    ['http://hooks.example.com/', /https/],
    ['ftp://hooks.example.com/', /https/],
    ['not a url', /absolute URL/],
    ['/relative', /absolute URL/],
    ['https://user:pass@hooks.example.com/', /credentials/],
    ['https://user@hooks.example.com/', /credentials/],
    ['https://hooks.example.com:22/', /port/],
    ['https://hooks.example.com:25/', /port/],
    // Loopback in every spelling the URL parser normalizes to 127.0.0.1.
    ['https://127.0.0.1/', /private/],
    ['https://127.1/', /private/],
    ['https://2130706433/', /private/],
    ['https://0x7f000001/', /private/],
    ['https://0177.0.0.1/', /private/],
    ['https://0/', /private/],
    ['https://localhost/', /local or internal/],
    ['https://api.localhost/', /local or internal/],
    ['https://[::1]/', /private/],
    ['https://[::]/', /private/],
    // Private, CGNAT, link-local and metadata.
    ['https://10.1.2.3/', /private/],
    ['https://172.16.0.1/', /private/],
    ['https://172.31.255.255/', /private/],
    ['https://192.168.1.1/', /private/],
    ['https://100.64.0.1/', /private/],
    ['https://169.254.169.254/latest/meta-data/', /private/],
    ['https://metadata.google.internal/computeMetadata/v1/', /local or internal/],
    ['https://[fd00:ec2::254]/', /private/],
    ['https://[fc00::1]/', /private/],
    ['https://[fe80::1]/', /private/],
    ['https://[ff02::1]/', /private/],
    ['https://[2001:db8::1]/', /private/],
    ['https://[2002:7f00:1::]/', /private/],
    // IPv4-mapped and NAT64 IPv6 of internal IPv4 addresses.
    ['https://[::ffff:127.0.0.1]/', /private/],
    ['https://[::ffff:169.254.169.254]/', /private/],
    ['https://[64:ff9b::a9fe:a9fe]/', /private/],
    // Reserved, multicast, documentation, broadcast.
    ['https://224.0.0.1/', /private/],
    ['https://255.255.255.255/', /private/],
    ['https://192.0.2.1/', /private/],
    ['https://198.18.0.1/', /private/],
    // Internal names.
    ['https://printer.local/', /local or internal/],
    ['https://db.internal/', /local or internal/],
    ['https://intranet/', /fully qualified/],
  ])('refuses %s', (url, reason) => {
    const check = checkOutboundUrl(url, production);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toMatch(reason);
  });
});

describe('outbound URL check, local rules (WEBHOOK_ALLOW_LOOPBACK)', () => {
  test.each(['http://127.0.0.1:4567/hook', 'http://localhost:8080/', 'https://127.0.0.1/', 'http://[::1]:9000/'])('allows loopback %s', (url) => {
    expect(checkOutboundUrl(url, local)).toMatchObject({ ok: true });
  });

  test.each(['http://10.0.0.1/', 'http://169.254.169.254/', 'http://hooks.example.com/', 'http://user:pw@127.0.0.1/'])('still refuses %s', (url) => {
    expect(checkOutboundUrl(url, local).ok).toBe(false);
  });
});

test('IPv6 parsing expands :: and refuses malformed addresses', () => {
  expect(parseIPv6('::1')).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
  expect(parseIPv6('2001:db8::')).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0]);
  expect(parseIPv6('1:2:3:4:5:6:7:8')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  expect(parseIPv6('1::2::3')).toBeNull();
  expect(parseIPv6('1:2:3')).toBeNull();
  expect(parseIPv6('g::1')).toBeNull();
});
