import type { SocketFactory } from './connection';
import type { LocalClock } from './monotonic-clock';

export interface ClientOptions {
  /** The service's base URL, e.g. `https://clock.example` (REST and Socket.IO). */
  url: string;
  /** An API key or a JWT, sent as `Authorization: Bearer` and as the socket's `auth.token`. */
  token?: string;
  /** Socket.IO transports; WebSocket only by default (no sticky sessions needed). */
  transports?: string[];
  /** Time requests per sync round (default 8). */
  samplesPerSync?: number;
  /** Resync every so often (default 30,000 ms); also after a reconnect and a tab coming back. */
  resyncIntervalMs?: number;
  /** How long a request may take before it fails (default 10,000 ms). */
  requestTimeoutMs?: number;
  /** Assumed worst drift between the local and the server clock (default 100 ppm). */
  maxDriftPpm?: number;
  /** How fast corrections are slewed in (default 0.05: now() runs at most 5 % fast or slow). */
  slewRate?: number;
  /** First reconnect delay (default 250 ms); it doubles per failure up to the cap. */
  reconnectDelayMs?: number;
  /** Reconnect delay cap (default and at most 5,000 ms). */
  reconnectDelayMaxMs?: number;
  /** Replacements for tests and unusual environments. */
  fetch?: typeof fetch;
  socketFactory?: SocketFactory;
  clock?: LocalClock;
  random?: () => number;
}

export const RECONNECT_CAP_MS = 5000;

export const DEFAULTS = {
  transports: ['websocket'],
  samplesPerSync: 8,
  resyncIntervalMs: 30_000,
  requestTimeoutMs: 10_000,
  maxDriftPpm: 100,
  slewRate: 0.05,
  reconnectDelayMs: 250,
  reconnectDelayMaxMs: RECONNECT_CAP_MS,
  /** Samples kept per round, and rounds kept. */
  keepPerRound: 4,
  rounds: 3,
  resolutionMs: 1,
  stepThresholdMs: 1000,
  /** A sync that failed is tried again this much sooner than the regular resync. */
  retrySyncMs: 5000,
};
