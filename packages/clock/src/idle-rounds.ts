import { ClockState } from './clock.types';

/**
 * per_cycle with auto_advance: a session in which every participant's turn timed out in a row,
 * round after round, `max_idle_rounds` times ends as expired (contract section 3). A round is
 * one turn of every participant in the rotation, so the session ends at the time-out that
 * makes `rotation × max_idle_rounds` in a row; any switch starts the count again.
 */
export const DEFAULT_MAX_IDLE_ROUNDS = 3;
export const MAX_IDLE_ROUNDS_LIMIT = 1000;

export function maxIdleRoundsOf(state: ClockState): number {
  const rounds = state.max_idle_rounds;
  return Number.isInteger(rounds) && (rounds as number) >= 1
    ? Math.min(rounds as number, MAX_IDLE_ROUNDS_LIMIT)
    : DEFAULT_MAX_IDLE_ROUNDS;
}

/** Participants in the rotation (per_cycle with auto_advance: all of them). */
export function rotationSize(state: ClockState): number {
  let n = 0;
  for (const p of state.participants) if (!p.has_expired) n++;
  return n;
}

/** Time-outs in a row that end the session. */
export function idleLimit(state: ClockState): number {
  return Math.max(1, rotationSize(state)) * maxIdleRoundsOf(state);
}

/** Time-outs still to come before (and including) the one that ends the session; at least 1. */
export function idleTimeoutsLeft(state: ClockState): number {
  return Math.max(1, idleLimit(state) - (state.consecutive_timeouts ?? 0));
}
