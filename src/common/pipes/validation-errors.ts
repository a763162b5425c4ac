import { ValidationError } from 'class-validator';
import { FieldError } from '../errors/domain-error';
import { NULL_MESSAGE } from './dto-shape';

/**
 * Flattens class-validator's tree into the contract's `fields` list with dotted paths. A field
 * that is missing altogether gets one "is required" rather than every rule it fails, and a
 * `null` one "must not be null".
 */
export function toFieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const known = error.constraints && !error.constraints.whitelistValidation;
    if (error.value === undefined && known) return [{ field, message: 'is required' }];
    if (error.value === null && known) return [{ field, message: NULL_MESSAGE }];
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      message: message.replace(
        new RegExp(`^(property |nested property )?${escape(error.property)} `),
        '',
      ),
    }));
    return [...own, ...toFieldErrors(error.children ?? [], field)];
  });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
