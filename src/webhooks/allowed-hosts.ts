import ipaddr from 'ipaddr.js';

/** WEBHOOK_ALLOWED_HOSTS, parsed: the hosts a webhook may reach over http or privately. */
export interface AllowedHosts {
  /** Lower-case host names, without a trailing dot. */
  names: ReadonlySet<string>;
  /** Addresses in ipaddr.js' canonical text (IPv4-mapped IPv6 as IPv4). */
  addresses: ReadonlySet<string>;
}

const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** The one text of an address, whatever way it was written (`::ffff:10.0.0.1` is `10.0.0.1`). */
export function canonicalAddress(address: string): string | null {
  const bare = address.replace(/^\[(.*)\]$/, '$1');
  if (!ipaddr.isValid(bare)) return null;
  // isValid accepts the classful shorthands (`127.1`); only the forms URLs normalise to count.
  if (bare.includes('.') && !bare.includes(':') && !ipaddr.IPv4.isValidFourPartDecimal(bare))
    return null;
  return ipaddr.process(bare).toString();
}

/** A URL's host as this module compares it: no brackets, lower case, no trailing dot. */
export function normalizeHost(host: string): string {
  return host
    .replace(/^\[(.*)\]$/, '$1')
    .toLowerCase()
    .replace(/\.$/, '');
}

/**
 * Parses the comma- (or space-) separated list of host names or addresses. Every port is
 * allowed, so a scheme, a port or a trailing slash written with an entry is dropped
 * (`http://127.0.0.1:8080/` is `127.0.0.1`). Throws a message naming a bad entry.
 */
export function parseAllowedHosts(raw: string): AllowedHosts {
  const names = new Set<string>();
  const addresses = new Set<string>();
  for (const entry of raw.split(/[\s,]+/).filter(Boolean)) {
    const host = hostOf(entry);
    const address = canonicalAddress(host);
    if (address !== null) {
      addresses.add(address);
      continue;
    }
    const name = normalizeHost(host);
    if (!HOST_NAME.test(name)) throw new Error(`"${entry}" is neither a host name nor an address`);
    names.add(name);
  }
  return { names, addresses };
}

/** The host of an entry, without a scheme, a port or a path. */
function hostOf(entry: string): string {
  const bare = entry.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/.*$/, '');
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(bare);
  if (bracketed) return bracketed[1];
  // One colon: host:port. More: a bare IPv6 address.
  return bare.split(':').length === 2 ? bare.replace(/:\d*$/, '') : bare;
}
