import { ClockGroup, ClockParticipant, ClockState } from './clock.types';
import { chargeControlled, flagAfterAnchor, horizonOf } from './controlled-turn';
import { idleTimeoutsLeft } from './idle-rounds';
import { noteLowTimeReached } from './low-time';
import { controlOf } from './time-control';

/**
 * What "the clock that is running down" means in each mode, as of the anchor. Everything else
 * (deadlines, settling, the live view) is built on these few functions.
 */
export function findParticipant(
  state: ClockState,
  id: string | null,
): ClockParticipant | undefined {
  if (id === null) return undefined;
  return state.participants.find((p) => p.participant_id === id);
}

export function findGroup(state: ClockState, groupId: string | undefined): ClockGroup | undefined {
  if (groupId === undefined || state.groups === null) return undefined;
  return state.groups.find((g) => g.group_id === groupId);
}

export function activeParticipant(state: ClockState): ClockParticipant | undefined {
  return findParticipant(state, state.active_participant_id);
}

/** The instant balances are as of while running (see `anchored_at`); null unless running. */
export function anchorOf(state: ClockState): number | null {
  if (state.status !== 'running' || state.cycle_started_at === null) return null;
  return Math.max(state.anchored_at ?? state.cycle_started_at, state.cycle_started_at);
}

/** The turn's clock (re)starts at `at`: that instant is both its start and the anchor. */
export function startClockAt(state: ClockState, at: number | null): void {
  state.cycle_started_at = at;
  delete state.anchored_at;
}

/** Milliseconds the running clock has run since the anchor, at `now`. */
export function runSinceAnchor(state: ClockState, now: number): number {
  const anchor = anchorOf(state);
  return anchor === null ? 0 : Math.max(0, now - anchor);
}

/**
 * Milliseconds left, as of the anchor, on the clock that runs down while the session runs;
 * null when nothing runs down (count_up without a cap, or no active participant where one is
 * needed).
 */
export function remainingAtAnchor(state: ClockState): number | null {
  switch (state.sync_mode) {
    case 'per_participant': {
      const p = activeParticipant(state);
      return p ? Math.max(0, p.total_time_ms - p.time_used_ms) : null;
    }
    case 'per_group': {
      const g = findGroup(state, activeParticipant(state)?.group_id);
      return g ? Math.max(0, g.total_time_ms - g.time_used_ms) : null;
    }
    case 'per_cycle': {
      const budget = cycleBudgetOf(state);
      return state.active_participant_id === null || budget === null
        ? null
        : Math.max(0, budget - state.turn_used_ms);
    }
    case 'global':
      return Math.max(0, state.total_time_ms - state.elapsed_ms);
    case 'count_up':
      return state.max_time_ms === null ? null : Math.max(0, state.max_time_ms - state.elapsed_ms);
  }
}

/**
 * A turn's budget in per_cycle; null when it is not a positive number (a state that slipped
 * past validation), so that no turn can time out at the instant it began, over and over.
 */
export function cycleBudgetOf(state: ClockState): number | null {
  const budget = state.time_per_cycle_ms;
  return typeof budget === 'number' && Number.isFinite(budget) && budget > 0 ? budget : null;
}

/**
 * Milliseconds from the anchor to the instant the running clock runs out: what is left, or
 * under a time control the flag (a simple delay first, byo-yomi after the bank).
 */
function untilRunOutAtAnchor(state: ClockState): number | null {
  const p = state.sync_mode === 'per_participant' ? activeParticipant(state) : undefined;
  const control = p && controlOf(state, p);
  if (p && control) return flagAfterAnchor(state, p, control);
  return remainingAtAnchor(state);
}

/** The exact instant the running clock reaches zero (the flag falls), or null if it never does. */
export function deadlineOf(state: ClockState): number | null {
  const anchor = anchorOf(state);
  if (anchor === null) return null;
  const left = untilRunOutAtAnchor(state);
  return left === null ? null : anchor + left;
}

/** Charges `ms` of running time to everything that runs while the active participant plays. */
export function chargeRun(state: ClockState, ms: number): void {
  if (ms > 0) {
    const p = activeParticipant(state);
    const control = p && controlOf(state, p);
    if (p && control) chargeControlled(state, p, control, ms);
    else if (p) {
      p.time_used_ms += ms;
      const g = findGroup(state, p.group_id);
      if (g && state.sync_mode === 'per_group') g.time_used_ms += ms;
    }
    state.elapsed_ms += ms;
    state.turn_used_ms += ms;
  }
  noteLowTimeReached(state);
}

/** Moves the anchor to `now`, charging the time run since the previous anchor. */
export function reanchor(state: ClockState, now: number): void {
  chargeRun(state, runSinceAnchor(state, now));
  if (state.status === 'running') startClockAt(state, now);
}

/**
 * Charges the turn up to `now` and anchors there, keeping `cycle_started_at` at the turn's
 * start (section 7: add-time neither restarts the delay nor moves the turn's start).
 */
export function anchorWithinTurn(state: ClockState, now: number): void {
  chargeRun(state, runSinceAnchor(state, now));
  if (state.status === 'running' && state.cycle_started_at !== null) state.anchored_at = now;
}

/**
 * The next participant after `fromId` in rotation order (by participant_index, wrapping),
 * skipping those with no time left. May be `fromId` itself when nobody else has time;
 * null when nobody has.
 */
export function nextInRotation(state: ClockState, fromId: string | null): ClockParticipant | null {
  const list = state.participants;
  const start = fromId === null ? -1 : list.findIndex((p) => p.participant_id === fromId);
  for (let step = 1; step <= list.length; step++) {
    const candidate = list[(start + step + list.length) % list.length];
    if (!candidate.has_expired) return candidate;
  }
  return null;
}

/** Participants (or groups, in per_group) that still have time. */
export function competitorsWithTime(state: ClockState): number {
  const all =
    state.sync_mode === 'per_group' && state.groups !== null ? state.groups : state.participants;
  let n = 0;
  for (const x of all) if (!x.has_expired) n++;
  return n;
}

/**
 * How long the session can run from `cycle_started_at`, without any further command, before
 * it is certainly over; Infinity when it may run for ever (count_up without a cap) or is never
 * to be evicted while running (byo-yomi). Used for the Redis TTL of a running session.
 */
export function runHorizonMs(state: ClockState): number {
  const anchor = anchorOf(state);
  const behind =
    anchor === null || state.cycle_started_at === null ? 0 : anchor - state.cycle_started_at;
  return behind + horizonFromAnchor(state);
}

function horizonFromAnchor(state: ClockState): number {
  switch (state.sync_mode) {
    case 'per_participant':
      return state.participants.reduce((sum, p) => {
        if (p.has_expired) return sum;
        const control = controlOf(state, p);
        return (
          sum + (control ? horizonOf(p, control) : Math.max(0, p.total_time_ms - p.time_used_ms))
        );
      }, 0);
    case 'per_group':
      return (state.groups ?? []).reduce(
        (sum, g) => sum + (g.has_expired ? 0 : Math.max(0, g.total_time_ms - g.time_used_ms)),
        0,
      );
    case 'per_cycle': {
      const left = remainingAtAnchor(state) ?? 0;
      const budget = cycleBudgetOf(state) ?? 0;
      // With auto_advance, the turns that can still time out before nobody-plays ends it.
      return state.auto_advance ? left + Math.max(0, idleTimeoutsLeft(state) - 1) * budget : left;
    }
    case 'global':
    case 'count_up':
      return remainingAtAnchor(state) ?? Infinity;
  }
}
