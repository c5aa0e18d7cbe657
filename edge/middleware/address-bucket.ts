/**
 * The rate-limit bucket of a client address. IPv4 addresses (also written IPv4-mapped, `::ffff:a.b.c.d`)
 * are their own bucket; an IPv6 address counts as its /64, the block one subscriber gets and can fill with
 * any number of addresses. Anything that is not an address shares one bucket. The WHATWG URL parser
 * (Node and Workers alike) validates and canonicalises, so two spellings of one address are one bucket.
 */
export function addressBucket(address: string | undefined): string {
  const bare = (address ?? '').trim().replace(/^\[|\]$/g, '');
  const ipv4 = canonicalHost(bare);
  if (ipv4 !== undefined && /^\d+\.\d+\.\d+\.\d+$/.test(ipv4)) return ipv4;
  const ipv6 = canonicalHost(`[${bare}]`)?.slice(1, -1);
  if (ipv6 === undefined) return 'unknown';
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(ipv6);
  if (mapped) {
    const [high, low] = [Number.parseInt(mapped[1], 16), Number.parseInt(mapped[2], 16)];
    return [high >> 8, high & 255, low >> 8, low & 255].join('.');
  }
  return `${expandIpv6(ipv6).slice(0, 4).join(':')}::/64`;
}

function canonicalHost(host: string): string | undefined {
  if (host === '' || /[^0-9a-fA-F.:[\]]/.test(host)) return undefined;
  try {
    return new URL(`http://${host}/`).hostname;
  } catch {
    return undefined;
  }
}

/** The eight hextets of a canonical IPv6 address (the URL parser writes no dotted tail). */
function expandIpv6(address: string): string[] {
  const [head, tail] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = Array<string>(8 - left.length - right.length).fill('0');
  return tail === undefined ? left : [...left, ...zeros, ...right];
}
