import { BlockList, isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

/** An IPv4-mapped IPv6 address (::ffff:10.0.0.1) as the IPv4 address it is. */
function normalized(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/**
 * Parses TRUSTED_PROXIES: comma-separated addresses or CIDR blocks (`10.0.0.5`, `172.28.0.0/16`,
 * `::1`, `fd00::/8`); empty trusts none. Throws an Error naming the entry that is neither.
 */
export function parseTrustedProxies(text: string): string[] {
  const entries = text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  for (const entry of entries) {
    const [address = '', bits, extra] = entry.split('/');
    const family = isIP(address);
    const maxBits = family === 6 ? 128 : 32;
    const validBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
    if (family === 0 || !validBits || extra !== undefined) throw new Error(`"${entry}" is not an IP address or CIDR block (e.g. 10.0.0.5 or 172.28.0.0/16)`);
  }
  return entries;
}

/** The trusted proxies as a BlockList (for `clientAddress`). */
export function trustedProxyList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', bits] = entry.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return list;
}

/** The hops of a `Forwarded` header (RFC 7239 `for=`), nearest last, without quotes, brackets or ports. */
function forwardedFor(header: string): string[] {
  const hops: string[] = [];
  for (const element of header.split(',')) {
    const match = /(?:^|;)\s*for=("?)\[?([^\]";]*)\]?(?::\d+)?\1\s*(?:;|$)/i.exec(element.trim());
    if (match?.[2] !== undefined) hops.push(match[2]);
  }
  return hops;
}

/**
 * The address a request comes from: the socket's peer, unless that peer is a trusted proxy; then
 * the nearest hop of `X-Forwarded-For` (else `Forwarded`) that is not itself a trusted proxy,
 * walking from the right (the hops a client prepends itself are never reached while an untrusted
 * one stands before them). With no trusted proxies (the default) forwarding headers are ignored.
 */
export function clientAddress(request: Pick<IncomingMessage, 'headers' | 'socket'>, trusted: BlockList | undefined): string | undefined {
  const peer = request.socket.remoteAddress;
  if (peer === undefined || trusted === undefined) return peer;
  const isTrusted = (address: string) => {
    const plain = normalized(address);
    const family = isIP(plain);
    return family !== 0 && trusted.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  };
  if (!isTrusted(peer)) return peer;
  const xff = request.headers['x-forwarded-for'];
  const forwarded = request.headers.forwarded;
  const hops = xff !== undefined ? (Array.isArray(xff) ? xff.join(',') : xff).split(',').map((hop) => hop.trim()) : forwarded !== undefined ? forwardedFor(forwarded) : [];
  let client = peer;
  for (const hop of hops.reverse()) {
    if (isIP(normalized(hop)) === 0) break; // garbage or an obfuscated identifier: stop at the last good hop
    client = normalized(hop);
    if (!isTrusted(hop)) break;
  }
  return client;
}
