import { ArgumentMetadata, Injectable, Type, ValidationPipe } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';
import { dtoShapeErrors } from './dto-shape';
import { isOpaqueField } from './field-kinds';
import { DEPTH_MESSAGE, inspectJson } from './json-inspection';
import { toFieldErrors } from './validation-errors';

/**
 * The global pipe: whitelist, refuse unknown fields, transform, and answer with the contract's
 * VALIDATION_ERROR body. A body (REST or socket payload) must be a JSON object; an absent body
 * counts as `{}`. Before anything else it must nest at most MAX_JSON_DEPTH levels and hold only
 * text PostgreSQL can store; after class-validator, a `null` is refused wherever the field is not
 * `@Nullable()`, and so is a key class-transformer would have dropped (dto-shape.ts). `@Opaque()`
 * fields reach the handler exactly as sent.
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
    if (isEmpty(body)) {
      if (this.emptyPasses.has(dto)) return new dto();
      const result: unknown = await super.transform(body, metadata);
      this.emptyPasses.add(dto);
      return result;
    }
    const inspection = inspectJson(body);
    if (inspection.tooDeep) throw DomainError.invalidField('body', DEPTH_MESSAGE);
    if (inspection.unstorable.length > 0) throw DomainError.validation(inspection.unstorable);
    const opaque = Object.keys(body).filter((key) => isOpaqueField(dto.prototype as object, key));
    const result = (await super.transform(withStandIns(body, opaque), metadata)) as object;
    for (const key of opaque)
      (result as Record<string, unknown>)[key] = (body as Record<string, unknown>)[key];
    const shape = dtoShapeErrors(body, result);
    if (shape.length > 0) throw DomainError.validation(shape);
    return result;
  }

  /**
   * Nest deletes `__proto__`, `constructor` and `prototype` keys at every depth before
   * transforming; that loses opaque metadata and recurses without bound. class-transformer never
   * copies such keys onto a DTO, dto-shape.ts refuses them where a DTO has no such field, and
   * opaque values keep them as the own data properties JSON.parse made.
   */
  protected override stripProtoKeys(): void {}
}

/** The body with each opaque value replaced by an empty one of its JSON type, for class-validator. */
function withStandIns(body: object, opaque: string[]): object {
  if (opaque.length === 0) return body;
  const copy: Record<string, unknown> = { ...body };
  for (const key of opaque) {
    const value = copy[key];
    if (Array.isArray(value)) copy[key] = [];
    else if (typeof value === 'object' && value !== null) copy[key] = {};
  }
  return copy;
}

function isEmpty(value: object): boolean {
  for (const key in value) if (Object.hasOwn(value, key)) return false;
  return Object.getPrototypeOf(value) === Object.prototype;
}
