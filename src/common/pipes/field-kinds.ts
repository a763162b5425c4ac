import 'reflect-metadata';

const OPAQUE_FIELD = Symbol('synckairos:opaque-field');
const NULLABLE_FIELD = Symbol('synckairos:nullable-field');

/**
 * A top-level body field the server keeps exactly as sent (`metadata`). class-transformer would
 * copy it without keys such as `constructor` or `toString` (and fails on some), so the pipe
 * validates a stand-in of the same JSON type and hands the handler the parsed value as it came.
 * JSON.parse makes a `__proto__` key an own data property, never a prototype, so keeping it is
 * safe; nulls inside are data, not missing fields.
 */
export function Opaque(): PropertyDecorator {
  return (target, property) => Reflect.defineMetadata(OPAQUE_FIELD, true, target, property);
}

/** A field for which the contract allows `null` (every other field refuses it). */
export function Nullable(): PropertyDecorator {
  return (target, property) => Reflect.defineMetadata(NULLABLE_FIELD, true, target, property);
}

/** `dto`: an instance or a prototype of the DTO class. */
export function isOpaqueField(dto: object, property: string): boolean {
  return Reflect.getMetadata(OPAQUE_FIELD, dto, property) === true;
}

export function isNullableField(dto: object, property: string): boolean {
  return Reflect.getMetadata(NULLABLE_FIELD, dto, property) === true;
}
