import type { ErrorPayload } from './types';

/**
 * A refused request: `code` is the contract's stable error code (`SESSION_NOT_FOUND`,
 * `CONFLICT`, …), `status` the HTTP status (0 for a socket acknowledgement or a network error).
 */
export class SyncKairosError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details?: Record<string, unknown>;

  constructor(status: number, body: ErrorPayload) {
    super(body.message);
    this.name = 'SyncKairosError';
    this.code = body.code;
    this.status = status;
    if (body.details !== undefined) this.details = body.details;
  }
}

/** Codes worth retrying on their own: the service was briefly unable to answer. */
export const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'UNAVAILABLE',
  'RATE_LIMITED',
  'TIMEOUT',
  'NETWORK_ERROR',
  'OUTCOME_UNKNOWN',
  'BACKLOG_FULL',
]);

export function asErrorPayload(value: unknown, fallback: string): ErrorPayload {
  if (typeof value === 'object' && value !== null) {
    const v = value as Record<string, unknown>;
    if (typeof v.code === 'string' && typeof v.message === 'string') {
      const details =
        typeof v.details === 'object' && v.details !== null
          ? (v.details as Record<string, unknown>)
          : undefined;
      return { code: v.code, message: v.message, ...(details && { details }) };
    }
  }
  return { code: 'UNEXPECTED_RESPONSE', message: fallback };
}
