import { ArgumentMetadata, Injectable, ValidationPipe } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';
import { toFieldErrors } from './validation-errors';

/**
 * The global pipe: whitelist, refuse unknown fields, transform, and answer with the contract's
 * VALIDATION_ERROR body. A body must be a JSON object; an absent body counts as `{}`.
 */
@Injectable()
export class BodyValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      // The value is kept to tell a missing field from a wrong one; it is never sent back.
      validationError: { target: false, value: true },
      exceptionFactory: (errors) => DomainError.validation(toFieldErrors(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && this.toValidate(metadata)) {
      if (value === undefined || value === null) value = {};
      if (typeof value !== 'object' || Array.isArray(value)) {
        throw DomainError.invalidField('body', 'must be a JSON object');
      }
    }
    return super.transform(value, metadata);
  }
}
