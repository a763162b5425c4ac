import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorBodyDto } from '../errors/error-body.dto';
import { ErrorCode, HTTP_STATUS_BY_CODE } from '../errors/error-codes';

const EXAMPLES: Partial<Record<ErrorCode, { message: string; details?: Record<string, unknown> }>> =
  {
    VALIDATION_ERROR: {
      message: 'participants.0.total_time_ms: must not be less than 1000',
      details: {
        fields: [{ field: 'participants.0.total_time_ms', message: 'must not be less than 1000' }],
      },
    },
    INVALID_STATE_TRANSITION: {
      message: 'cannot switch: session is paused',
      details: { status: 'paused' },
    },
    SESSION_NOT_FOUND: { message: 'session game-42 not found' },
    SESSION_EXISTS: { message: 'session game-42 already exists' },
    CONFLICT: {
      message: 'expected version 6, session is at 7',
      details: { expected_version: 6, actual_version: 7 },
    },
    NOT_ACTIVE_PARTICIPANT: {
      message: 'participant white is not the active participant',
      details: { current_participant_id: 'white', active_participant_id: 'black' },
    },
    UNAUTHORIZED: { message: 'credentials are missing' },
    FORBIDDEN: { message: 'this token does not give access to session game-42' },
    RATE_LIMITED: {
      message: 'too many requests; retry in 1 s',
      details: { limit: 200, retry_after_s: 1 },
    },
    UNAVAILABLE: { message: 'session store is unavailable, try again shortly' },
    OUTCOME_UNKNOWN: {
      message: 'the write may or may not have happened; retry with the same Idempotency-Key',
    },
    BACKLOG_FULL: { message: 'the audit backlog is full; try again shortly' },
    IDEMPOTENCY_KEY_REUSED: {
      message: 'Idempotency-Key k-17 was used with another request',
    },
  };

/** Documents the error answers of an endpoint, one example per code, grouped by status. */
export function ApiErrors(...codes: ErrorCode[]): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = HTTP_STATUS_BY_CODE[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return applyDecorators(
    ...[...byStatus].map(([status, group]) =>
      ApiResponse({
        status,
        description: group.join(' or '),
        type: ErrorBodyDto,
        examples: Object.fromEntries(
          group.map((code) => [
            code,
            { summary: code, value: { error: { code, ...EXAMPLES[code] } } },
          ]),
        ),
      }),
    ),
  );
}
