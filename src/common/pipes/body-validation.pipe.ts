import { ArgumentMetadata, Injectable, Type, ValidationPipe } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';
import { toFieldErrors } from './validation-errors';

/**
 * The global pipe: whitelist, refuse unknown fields, transform, and answer with the contract's
 * VALIDATION_ERROR body. A body must be a JSON object; an absent body counts as `{}`.
 *
 * An empty body is the common case of the hot path (a switch that only ends the turn), and its
 * outcome depends on the DTO alone: once `{}` has passed a DTO's rules, later empty bodies get a
 * fresh instance of it without running class-validator again. (An empty body that fails, e.g.
 * where a field is required, is validated each time: that path is not hot.)
 */
@Injectable()
export class BodyValidationPipe extends ValidationPipe {
  private readonly emptyPasses = new WeakSet<Type<unknown>>();

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
    if (metadata.type !== 'body' || !this.toValidate(metadata)) {
      return super.transform(value, metadata);
    }
    const body: unknown = value ?? {};
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw DomainError.invalidField('body', 'must be a JSON object');
    }
    const dto = metadata.metatype as Type<unknown>;
    if (!isEmpty(body)) return super.transform(body, metadata);
    if (this.emptyPasses.has(dto)) return new dto();
    const result: unknown = await super.transform(body, metadata);
    this.emptyPasses.add(dto);
    return result;
  }
}

function isEmpty(value: object): boolean {
  for (const key in value) if (Object.hasOwn(value, key)) return false;
  return Object.getPrototypeOf(value) === Object.prototype;
}
