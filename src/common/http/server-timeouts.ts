import type { Server } from 'node:http';

/**
 * Behind a load balancer: keep idle connections open longer than the balancer's own idle
 * timeout (60 s on most), so that it never reuses one the service has just closed (a 502), and
 * wait for a request's headers a little longer still, as Node requires.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;
export const HEADERS_TIMEOUT_MS = 66_000;

export function applyServerTimeouts(server: Server): void {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
}
