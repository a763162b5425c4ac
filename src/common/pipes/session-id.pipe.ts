import { Injectable, PipeTransform } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';

export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function assertSessionId(value: unknown, field = 'id'): string {
  if (typeof value !== 'string' || !SESSION_ID_PATTERN.test(value)) {
    throw DomainError.invalidField(field, 'must be 1-64 characters of [A-Za-z0-9_-]');
  }
  return value;
}

/** Route parameter `:id`: a malformed id is a 400, never a lookup. */
@Injectable()
export class SessionIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    return assertSessionId(value);
  }
}
