import { FieldError } from './domain-error';
import { ClockState } from './clock.types';
import { activeParticipant, anchorOf, remainingAtAnchor } from './running-clock';
import { controlOf, currentStage, delayOf } from './time-control';

/**
 * Low-time warnings (contract section 9). The watched clock is the one that runs down while
 * the session runs (`remainingAtAnchor`: a bank, a group's bank, a turn, the global countdown,
 * the count_up cap; under a time control the main bank only). It is armed when it starts
 * running above `low_time_ms` (each turn in the turn modes, once at the start in global and
 * count_up), and the warning is due the first instant, while running, that it is at or below
 * the threshold. Nothing ticks: the instant is computed from the anchor, like a deadline.
 */
export const LOW_TIME_LIMITS = { minMs: 1000, maxMs: 3_600_000 } as const;

export interface LowTimeCrossing {
  /** The exact instant the watched clock reaches the threshold (or went below it). */
  at_ms: number;
  /** What is left at that instant: `low_time_ms`, or less when time taken jumped past it. */
  remaining_ms: number;
  participant_id?: string;
  group_id?: string;
}

/** In these modes the watched clock is the session's own: warned of once per session. */
const watchesTurns = (s: ClockState) => s.sync_mode !== 'global' && s.sync_mode !== 'count_up';

export function lowTimeErrors(value: number | null | undefined): FieldError[] {
  if (value === null || value === undefined) return [];
  const { minMs, maxMs } = LOW_TIME_LIMITS;
  return Number.isInteger(value) && value >= minMs && value <= maxMs
    ? []
    : [{ field: 'low_time_ms', message: `must be an integer from ${minMs} to ${maxMs}` }];
}

/** A turn's clock starts (passTurn): in the turn modes, it is watched if it starts above. */
export function armLowTimeForTurn(s: ClockState): void {
  if (watchesTurns(s)) arm(s);
}

/** The session starts: in global and count_up, its clock is watched if it starts above. */
export function armLowTimeForSession(s: ClockState): void {
  if (!watchesTurns(s)) arm(s);
}

function arm(s: ClockState): void {
  if (s.low_time_ms === undefined) return;
  const left = remainingAtAnchor(s);
  s.low_time_armed = left !== null && left > s.low_time_ms;
}

/**
 * After running time was charged: a running watched clock at or below the threshold has been
 * warned of (by the deadline machinery, at its instant), so it is not watched again this turn.
 */
export function noteLowTimeReached(s: ClockState): void {
  if (!s.low_time_armed || s.status !== 'running' || s.low_time_ms === undefined) return;
  const left = remainingAtAnchor(s);
  if (left !== null && left <= s.low_time_ms) s.low_time_armed = false;
}

/**
 * The warning this state still owes: the instant its watched clock reaches `low_time_ms`
 * (the anchor itself when it is already at or below it), or null when none is owed. The
 * instant may lie before `now`: the caller decides whether it was already handled.
 */
export function lowTimeCrossing(s: ClockState): LowTimeCrossing | null {
  const threshold = s.low_time_ms;
  if (threshold === undefined || !s.low_time_armed) return null;
  const anchor = anchorOf(s);
  const left = remainingAtAnchor(s);
  if (anchor === null || left === null) return null;
  const at = left > threshold ? anchor + heldAtAnchor(s) + (left - threshold) : anchor;
  return { at_ms: at, remaining_ms: Math.min(left, threshold), ...whoseClock(s) };
}

/** Section 7's simple delay: the main bank does not run for the rest of this turn's delay. */
function heldAtAnchor(s: ClockState): number {
  const p = s.sync_mode === 'per_participant' ? activeParticipant(s) : undefined;
  const control = p && controlOf(s, p);
  if (!p || !control || control.delay_kind !== 'simple') return 0;
  return Math.max(0, delayOf(currentStage(control, p).stage) - s.turn_used_ms);
}

function whoseClock(s: ClockState): Pick<LowTimeCrossing, 'participant_id' | 'group_id'> {
  if (!watchesTurns(s)) return {};
  const p = activeParticipant(s);
  if (!p) return {};
  return {
    participant_id: p.participant_id,
    ...(s.sync_mode === 'per_group' && p.group_id !== undefined && { group_id: p.group_id }),
  };
}
