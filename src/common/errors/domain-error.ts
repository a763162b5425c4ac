/** Domain errors are thrown by the clock as well: one class, defined in the clock package. */
export { DomainError } from '@synckairos/clock';
export type { FieldError } from '@synckairos/clock';
