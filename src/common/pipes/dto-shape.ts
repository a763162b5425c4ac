import { FieldError } from '../errors/domain-error';
import { isNullableField, isOpaqueField } from './field-kinds';

export const NULL_MESSAGE = 'must not be null';
export const UNKNOWN_MESSAGE = 'should not exist';

/**
 * What class-validator cannot see on the transformed DTO, found by walking it beside the body as
 * sent: a `null` (which `@IsOptional()` lets through as if the field were absent) where the
 * field is not `@Nullable()`, and a key that class-transformer silently left out (`__proto__`,
 * `constructor`, `toString`…), which is an unknown field like any other. Opaque fields are
 * taken as sent and not looked into. The depth was bounded before (inspectJson).
 */
export function dtoShapeErrors(sent: unknown, dto: unknown, path = ''): FieldError[] {
  if (Array.isArray(sent) && Array.isArray(dto)) {
    return sent.flatMap((item, i) => {
      const field = `${path}.${i}`;
      if (item === null) return [{ field, message: NULL_MESSAGE }];
      return dtoShapeErrors(item, dto[i], field);
    });
  }
  if (!isObject(sent) || !isObject(dto)) return [];
  const errors: FieldError[] = [];
  for (const key of Object.keys(sent)) {
    const field = path ? `${path}.${key}` : key;
    if (!Object.hasOwn(dto, key)) {
      errors.push({ field, message: UNKNOWN_MESSAGE });
      continue;
    }
    const value = sent[key];
    if (value === null) {
      if (!isNullableField(dto, key)) errors.push({ field, message: NULL_MESSAGE });
      continue;
    }
    if (isOpaqueField(dto, key)) continue;
    errors.push(...dtoShapeErrors(value, dto[key], field));
  }
  return errors;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
