import type { ErrorCode } from '@synckairos/clock';

/** The codes live with the clock, which throws most of them; the HTTP mapping is the server's. */
export type { ErrorCode };

export const HTTP_STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  VALIDATION_ERROR: 400,
  INVALID_STATE_TRANSITION: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  SESSION_NOT_FOUND: 404,
  CONFLICT: 409,
  NOT_ACTIVE_PARTICIPANT: 409,
  SESSION_EXISTS: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  UNAVAILABLE: 503,
  OUTCOME_UNKNOWN: 503,
  BACKLOG_FULL: 503,
};
