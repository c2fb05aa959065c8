/**
 * Server-side request forgery guard for URLs the API will call (webhook endpoints): a tenant must
 * not make the worker reach internal networks, cloud metadata services or itself. Checked on the
 * URL as WHATWG parses it, which normalizes decimal, octal and hex IPv4 forms to dotted quads and
 * IPv6 to compressed hex, so `http://2130706433/` is seen as 127.0.0.1. Hostnames are not resolved
 * (Workers has no DNS API): names that are internal by convention are refused, and on Cloudflare
 * the platform itself refuses fetches to private addresses, which covers DNS that points inside.
 */
export interface OutboundUrlOptions {
  /** Local development and tests: http and https to loopback (127.0.0.0/8, ::1, localhost) allowed. */
  allowLoopback: boolean;
}

export type OutboundUrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

/** Hostnames that name something internal, whatever they resolve to. */
const INTERNAL_SUFFIXES = ['.localhost', '.local', '.internal', '.localdomain', '.home.arpa', '.intranet', '.corp', '.lan'];
const METADATA_HOSTS = new Set(['metadata', 'metadata.google.internal', 'instance-data', 'instance-data.ec2.internal']);

/** IPv4 ranges that are not public unicast (RFC 6890 special-purpose registry and multicast). */
const BLOCKED_V4: readonly [string, number][] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

function v4ToInt(address: string): number | null {
  const parts = address.split('.');
  if (parts.length !== 4 || parts.some((part) => !/^\d{1,3}$/.test(part) || Number(part) > 255)) return null;
  return parts.reduce((sum, part) => sum * 256 + Number(part), 0);
}

function inV4Range(address: number, [base, bits]: [string, number]): boolean {
  const size = 2 ** (32 - bits);
  return Math.floor(address / size) === Math.floor(v4ToInt(base)! / size);
}

/** Eight 16-bit groups of a compressed hex IPv6 address (as URL hostnames carry it, brackets removed). */
export function parseIPv6(address: string): number[] | null {
  const halves = address.split('::');
  if (halves.length > 2) return null;
  const groups = (text: string) => (text === '' ? [] : text.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (all.some((group) => !/^[0-9a-f]{1,4}$/i.test(group))) return null;
  return all.map((group) => parseInt(group, 16));
}

/**
 * Only global unicast (2000::/3) passes, minus documentation (2001:db8::/32), IETF protocol
 * assignments incl. Teredo (2001::/23) and 6to4 (2002::/16), which embed IPv4 addresses. So
 * loopback, unspecified, IPv4-mapped (::ffff:0:0/96), NAT64, unique-local (fc00::/7, incl. AWS's
 * metadata fd00:ec2::254), link-local, site-local and multicast are all refused.
 */
function isPublicV6(groups: number[]): boolean {
  const [first, second] = groups as [number, number];
  if ((first & 0xe000) !== 0x2000) return false;
  if (first === 0x2001 && (second === 0x0db8 || second < 0x0200)) return false;
  if (first === 0x2002) return false;
  return true;
}

function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '[::1]') return true;
  const v4 = v4ToInt(host);
  return v4 !== null && inV4Range(v4, ['127.0.0.0', 8]);
}

/** Below this only 443 is allowed: the well-known ports are where SSRF finds mail, SSH and other plain-text services. */
const MIN_CUSTOM_PORT = 1024;

export function checkOutboundUrl(input: string, options: OutboundUrlOptions): OutboundUrlCheck {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, reason: 'is not an absolute URL' };
  }
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  const loopbackAllowed = options.allowLoopback && isLoopbackHost(host);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopbackAllowed)) return { ok: false, reason: 'must use https' };
  if (url.username !== '' || url.password !== '') return { ok: false, reason: 'must not contain credentials' };
  if (loopbackAllowed) return { ok: true, url };
  if (url.port !== '' && url.port !== '443' && Number(url.port) < MIN_CUSTOM_PORT) {
    return { ok: false, reason: `must use port 443 or a port from ${MIN_CUSTOM_PORT}` };
  }
  if (host.startsWith('[')) {
    const groups = parseIPv6(host.slice(1, -1));
    if (!groups || !isPublicV6(groups)) return { ok: false, reason: 'must not point to a private, loopback, link-local or reserved address' };
    return { ok: true, url };
  }
  const v4 = v4ToInt(host);
  if (v4 !== null) {
    if (BLOCKED_V4.some((range) => inV4Range(v4, range))) {
      return { ok: false, reason: 'must not point to a private, loopback, link-local or reserved address' };
    }
    return { ok: true, url };
  }
  if (host === 'localhost' || METADATA_HOSTS.has(host) || INTERNAL_SUFFIXES.some((suffix) => host.endsWith(suffix))) {
    return { ok: false, reason: 'must not name a local or internal host' };
  }
  // A single label (`intranet`, `metadata`) is resolved against local search domains.
  if (!host.includes('.')) return { ok: false, reason: 'must name a fully qualified public host' };
  return { ok: true, url };
}
