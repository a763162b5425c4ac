import { applyDecorators, createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { Request } from 'express';
import { DomainError } from '../common/errors/domain-error';
import { IDEMPOTENCY_KEY_PATTERN } from './idempotency';

/** The request's Idempotency-Key header, checked; undefined when it has none. */
export const IdempotencyKey = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): string | undefined => {
    const raw = ctx.switchToHttp().getRequest<Request>().headers['idempotency-key'];
    if (raw === undefined) return undefined;
    if (typeof raw !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(raw)) {
      throw DomainError.invalidField(
        'Idempotency-Key',
        'must be one header of 1-128 characters of A-Z a-z 0-9 _ . : -',
      );
    }
    return raw;
  },
);

/** OpenAPI: the header, on every command that takes it. */
export function ApiIdempotencyKey(): MethodDecorator {
  return applyDecorators(
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'Makes a retry return the first outcome instead of applying twice (kept 24 h; scoped to ' +
        'the session and the command; another body with the same key is 409 IDEMPOTENCY_KEY_REUSED)',
      schema: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,128}$' },
    }),
  );
}
