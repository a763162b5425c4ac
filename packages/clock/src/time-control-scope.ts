import { FieldError } from './domain-error';
import { CreateSessionInput } from './clock.types';
import { timeControlErrors } from './time-control.rules';

const given = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined;

/**
 * Where a time control may be (section 7, "Scope"): per_participant only; a participant's own
 * replaces the session's; with participant controls and none for the session, every
 * participant has one; with any control, no session increment and no participant banks.
 */
export function timeControlScopeErrors(input: CreateSessionInput): FieldError[] {
  const sessionControl = given(input.time_control);
  const own = input.participants.map((p) => given(p.time_control));
  if (!sessionControl && !own.some(Boolean)) return [];
  if (input.sync_mode !== 'per_participant') {
    const message = 'is only allowed in per_participant mode';
    return [
      ...(sessionControl ? [{ field: 'time_control', message }] : []),
      ...own.flatMap((has, i) =>
        has ? [{ field: `participants.${i}.time_control`, message }] : [],
      ),
    ];
  }
  const errors: FieldError[] = [];
  if (input.time_control) errors.push(...timeControlErrors(input.time_control, 'time_control'));
  input.participants.forEach((p, i) => {
    const at = `participants.${i}`;
    if (p.time_control) errors.push(...timeControlErrors(p.time_control, `${at}.time_control`));
    else if (!sessionControl) {
      errors.push({
        field: `${at}.time_control`,
        message: 'is required: other participants have one and the session has none',
      });
    }
    if (given(p.total_time_ms)) {
      errors.push({
        field: `${at}.total_time_ms`,
        message: "must be absent with a time control (each starts with its control's first stage)",
      });
    }
  });
  if ((input.increment_ms ?? 0) !== 0) {
    errors.push({
      field: 'increment_ms',
      message: 'must be 0 or absent with a time control (its stages carry their increments)',
    });
  }
  return errors;
}
