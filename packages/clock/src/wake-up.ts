import { ClockState } from './clock.types';
import { lowTimeCrossing } from './low-time';
import { deadlineOf } from './running-clock';
import { scheduledStartOf } from './schedule';

/**
 * The next instant the service must look at a session by itself: the earliest of its flag
 * (`deadlineOf`), its scheduled start and the low-time warning it still owes. A warning at or
 * before `handledUntil` was already dealt with (the caller just emitted it) and is skipped.
 */
export function wakeUpOf(state: ClockState, handledUntil?: number): number | null {
  const crossing = lowTimeCrossing(state);
  const owed =
    crossing !== null && (handledUntil === undefined || crossing.at_ms > handledUntil)
      ? crossing.at_ms
      : null;
  let next: number | null = null;
  for (const at of [deadlineOf(state), scheduledStartOf(state), owed]) {
    if (at !== null && (next === null || at < next)) next = at;
  }
  return next;
}
