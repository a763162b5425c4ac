import { ErrorCode } from './error-codes';

export interface FieldError {
  field: string;
  message: string;
}

/**
 * An error the client can act on. Framework-free so that the clock module can throw it;
 * the HTTP and socket filters turn the code into a status and the contract's error body.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  static validation(fields: FieldError[]): DomainError {
    const message = fields.map((f) => `${f.field}: ${f.message}`).join('; ');
    return new DomainError('VALIDATION_ERROR', message || 'invalid request', { fields });
  }

  static invalidField(field: string, message: string): DomainError {
    return DomainError.validation([{ field, message }]);
  }

  static notFound(sessionId: string): DomainError {
    return new DomainError('SESSION_NOT_FOUND', `session ${sessionId} not found`);
  }

  /** 429: `retry_after_s` also becomes the Retry-After header (AllExceptionsFilter). */
  static rateLimited(message: string, limit: number, retryAfterS: number): DomainError {
    return new DomainError('RATE_LIMITED', message, { limit, retry_after_s: retryAfterS });
  }

  static invalidTransition(status: string, action: string): DomainError {
    return new DomainError('INVALID_STATE_TRANSITION', `cannot ${action}: session is ${status}`, {
      status,
    });
  }
}
