import { Transform } from 'class-transformer';

/** Digits only, no sign, no exponent, at most 16 of them (so it stays a safe integer). */
const DECIMAL = /^(0|[1-9][0-9]{0,15})$/;

/**
 * A query parameter read as an integer only when it is written as one: `12`, not `1e3`, `0x10`,
 * `+5`, `1.0` or an empty string (which Number() would all turn into numbers). Anything else is
 * left as it is, for `@IsInt()` to refuse with a 400; `@Max()` then bounds what the database sees.
 */
export function QueryInt(): PropertyDecorator {
  return Transform(
    ({ value }: { value: unknown }) =>
      typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value,
    { toClassOnly: true },
  );
}
