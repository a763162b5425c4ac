import { ValidationError } from 'class-validator';
import { FieldError } from '../errors/domain-error';

/** Flattens class-validator's tree into the contract's `fields` list with dotted paths. */
export function toFieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
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
