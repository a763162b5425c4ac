/** Stable error codes of the public contract (section 4), shared by the server and its clients. */
export type ErrorCode =
  | 'VALIDATION_ERROR'
  | 'INVALID_STATE_TRANSITION'
  | 'SESSION_NOT_FOUND'
  | 'CONFLICT'
  | 'NOT_ACTIVE_PARTICIPANT'
  | 'SESSION_EXISTS'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'OUTCOME_UNKNOWN'
  | 'BACKLOG_FULL'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'INTERNAL_ERROR';
