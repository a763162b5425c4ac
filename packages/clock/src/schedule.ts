import { DomainError, FieldError } from './domain-error';
import { ClockState, StartCommand } from './clock.types';
import { armLowTimeForSession } from './low-time';
import { nextInRotation } from './running-clock';
import { passTurn, settle } from './settle';
import { Transition } from './transition';

/**
 * Starts, now or scheduled (contract section 9). A scheduled session stays pending with
 * `scheduled_start_at` (a version of its own, `session_scheduled`) and starts by itself at
 * that instant: settling at or after it starts the clocks anchored there, whoever settles.
 */
export const MAX_SCHEDULE_AHEAD_MS = 7 * 86_400_000;

/** The oldest `accepted_at` a start takes: a bulk start's requests are seconds old at most. */
export const MAX_ACCEPTED_AGE_MS = 60_000;

/** `at_ms` against the instant the request was accepted: strictly later, at most 7 days. */
export function scheduleErrors(atMs: number, acceptedAt: number): FieldError[] {
  const fail = (message: string) => [{ field: 'at_ms', message }];
  if (!Number.isSafeInteger(atMs)) return fail('must be an integer (epoch milliseconds)');
  if (atMs <= acceptedAt) return fail(`must be in the future (the server time is ${acceptedAt})`);
  if (atMs > acceptedAt + MAX_SCHEDULE_AHEAD_MS)
    return fail(`must be at most ${MAX_SCHEDULE_AHEAD_MS} ms (7 days) ahead`);
  return [];
}

/** The pending session's scheduled start, or null. */
export function scheduledStartOf(s: ClockState): number | null {
  return s.status === 'pending' && s.scheduled_start_at !== undefined ? s.scheduled_start_at : null;
}

/**
 * `start`: without `at_ms` the clocks start at once (a scheduled start is overridden); with
 * it the start is (re)scheduled, or, when the instant passed while the request waited (a bulk
 * start), made at that instant and settled up to `now`.
 */
export function applyStart(t: Transition, command: StartCommand, now: number): void {
  const s = t.state;
  if (s.status !== 'pending') throw DomainError.invalidTransition(s.status, 'start');
  const acceptedAt = Math.min(now, Math.max(command.accepted_at ?? now, now - MAX_ACCEPTED_AGE_MS));
  const at = command.at_ms ?? acceptedAt;
  if (command.at_ms !== undefined) {
    const errors = scheduleErrors(command.at_ms, acceptedAt);
    if (errors.length > 0) throw DomainError.validation(errors);
  }
  if (at > now) {
    s.scheduled_start_at = at;
    t.record('session_scheduled', now, { details: { at_ms: at } });
    return;
  }
  // A start in the past never goes before a change already recorded (nor after now).
  startSessionAt(t, at < now ? Math.min(now, Math.max(at, s.updated_at)) : now);
  settle(t, now);
}

/** Settling: a scheduled start that is due happens at its instant, before anything else. */
export function startIfDue(t: Transition, now: number): void {
  const at = scheduledStartOf(t.state);
  if (at !== null && at <= now) startSessionAt(t, at, { scheduled: true });
}

function startSessionAt(t: Transition, at: number, details?: Record<string, unknown>): void {
  const s = t.state;
  delete s.scheduled_start_at;
  s.status = 'running';
  s.session_started_at = at;
  passTurn(s, nextInRotation(s, null), at);
  armLowTimeForSession(s);
  t.record('session_started', at, {
    participant_id: s.active_participant_id,
    ...(details !== undefined && { details }),
  });
}
