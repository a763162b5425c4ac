import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { withTimeout } from '../common/time/with-timeout';
import { AllowedHosts, canonicalAddress, normalizeHost } from './allowed-hosts';

/** Resolves a host name to every address it has, in the resolver's order. */
export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

/** How long a name may take to resolve, at create and at each delivery. */
export const RESOLVE_TIMEOUT_MS = 3000;

export const systemResolver: Resolver = (host) =>
  withTimeout(lookup(host, { all: true, verbatim: true }), RESOLVE_TIMEOUT_MS);

export interface CheckedAddress {
  address: string;
  family: 4 | 6;
}

/** Where a delivery may go: the URL, and the checked addresses to connect to (never re-resolved). */
export interface CheckedTarget {
  url: URL;
  /** The URL's host, without brackets (the Host header and the TLS name). */
  host: string;
  /** In the resolver's order; a connection tries them in turn. */
  addresses: CheckedAddress[];
}

/**
 * Why a URL was refused. `unresolvable` is a name that does not exist; `dns` a resolver that
 * did not answer (worth trying again); the others are the rules.
 */
export type RefusalKind = 'invalid' | 'not_allowed' | 'unresolvable' | 'dns';

export class WebhookTargetRefused extends Error {
  constructor(
    readonly kind: RefusalKind,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookTargetRefused';
  }
}

/**
 * The server-side request forgery rules of section 9. A URL must be `https` and every address
 * its host resolves to public (ipaddr.js' `unicast`: not private, loopback, link-local,
 * unspecified, carrier-grade NAT, multicast, reserved, nor an IPv6 form that embeds an IPv4
 * address), unless the URL's host (the name, or the address as written) is listed in
 * WEBHOOK_ALLOWED_HOSTS: then http is allowed and any address. Listing 127.0.0.1 does not let
 * `localhost` through. The caller connects only to the addresses returned, so that a second
 * resolution (DNS rebinding) cannot lead elsewhere.
 */
export class SsrfGuard {
  constructor(
    private readonly allowed: AllowedHosts,
    private readonly resolve: Resolver = systemResolver,
  ) {}

  async check(text: string): Promise<CheckedTarget> {
    const url = parse(text);
    const host = normalizeHost(url.hostname);
    const literal = canonicalAddress(host);
    const listed =
      this.allowed.names.has(host) || (literal !== null && this.allowed.addresses.has(literal));
    if (!listed && url.protocol !== 'https:')
      throw new WebhookTargetRefused(
        'invalid',
        'must be an https URL (http only for hosts in WEBHOOK_ALLOWED_HOSTS)',
      );
    const addresses = literal !== null ? [literal] : await this.addressesOf(host);
    if (!listed) {
      for (const address of addresses) {
        const range = ipaddr.process(address).range();
        if (range !== 'unicast')
          throw new WebhookTargetRefused(
            'not_allowed',
            `${host} resolves to ${address}, a ${range} address, and is not in WEBHOOK_ALLOWED_HOSTS`,
          );
      }
    }
    return {
      url,
      host,
      addresses: addresses.map((address) => ({ address, family: isIP(address) === 6 ? 6 : 4 })),
    };
  }

  private async addressesOf(host: string): Promise<string[]> {
    let found: { address: string }[];
    try {
      found = await this.resolve(host);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTFOUND' || code === 'ENODATA')
        throw new WebhookTargetRefused('unresolvable', `${host} does not resolve`);
      throw new WebhookTargetRefused(
        'dns',
        `${host} could not be resolved now (${code ?? 'timeout'})`,
      );
    }
    const addresses = found.map((f) => canonicalAddress(f.address));
    if (addresses.length === 0 || addresses.some((a) => a === null))
      throw new WebhookTargetRefused('unresolvable', `${host} does not resolve to an address`);
    return addresses as string[];
  }
}

function parse(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new WebhookTargetRefused('invalid', 'must be an absolute http or https URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new WebhookTargetRefused('invalid', 'must be an http or https URL');
  if (url.username !== '' || url.password !== '')
    throw new WebhookTargetRefused('invalid', 'must not carry credentials (deliveries are signed)');
  if (url.hostname === '') throw new WebhookTargetRefused('invalid', 'must name a host');
  return url;
}
