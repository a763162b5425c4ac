import type { IncomingHttpHeaders } from 'node:http';

/**
 * The client's address as Express computes `req.ip` with `trust proxy` on: the first entry of
 * X-Forwarded-For when the service is behind a proxy it trusts (TRUST_PROXY), else the peer.
 * Socket.IO handshakes use it so that sockets and REST count one client alike.
 */
export function clientAddress(
  headers: IncomingHttpHeaders,
  peer: string | undefined,
  trustProxy: boolean,
): string {
  const forwarded = headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return (trustProxy && first) || peer || 'unknown';
}
