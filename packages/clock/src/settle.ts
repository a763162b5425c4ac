import { ClockParticipant, ClockState, Timeout } from './clock.types';
import { exhaustByoyomi } from './controlled-turn';
import { armLowTimeForTurn } from './low-time';
import { startIfDue } from './schedule';
import { idleLimit, idleTimeoutsLeft, maxIdleRoundsOf } from './idle-rounds';
import {
  activeParticipant,
  anchorOf,
  chargeRun,
  competitorsWithTime,
  cycleBudgetOf,
  deadlineOf,
  findGroup,
  nextInRotation,
  startClockAt,
} from './running-clock';
import { Transition } from './transition';

/**
 * Beyond this many time-outs in one settle, the rest are one step: per_cycle turns are
 * fast-forwarded arithmetically, an expiry chain of the bank modes is recorded as one version.
 */
export const MAX_TIMEOUT_STEPS = 64;

/**
 * Brings a running session up to `now`: every clock that reached zero before (or at) `now`
 * is settled at the exact instant it did, one step each, in order (a scheduled start that is
 * due first, at its instant). Bounded by the rules: in the
 * bank modes each pass drops a participant (or group) out for good, global and count_up end at
 * the first, and per_cycle reaches `now` in one fast-forward after MAX_TIMEOUT_STEPS.
 */
export function settle(t: Transition, now: number): void {
  startIfDue(t, now);
  const s = t.state;
  const bound = s.participants.length + MAX_TIMEOUT_STEPS + 2;
  let timeouts = 0;
  for (let due = deadlineOf(s); due !== null && due <= now; due = deadlineOf(s)) {
    if (++timeouts > bound) break; // unreachable by the rules above; a guard, not a rule
    if (timeouts > MAX_TIMEOUT_STEPS) {
      if (s.sync_mode === 'per_cycle') {
        fastForwardCycles(t, now);
        continue;
      }
      t.beginBatch();
    }
    chargeRun(s, due - (anchorOf(s) ?? due));
    startClockAt(s, due);
    expireRunningClock(t, due);
  }
  t.endBatch();
}

function expireRunningClock(t: Transition, at: number): void {
  const s = t.state;
  const mover = activeParticipant(s);
  const moverId = mover?.participant_id ?? null;
  switch (s.sync_mode) {
    case 'per_participant':
      if (mover) expireParticipant(t, mover, at);
      return;
    case 'per_group':
      if (mover) expireGroup(t, mover, at);
      return;
    case 'per_cycle': {
      const timeout: Timeout = { kind: 'cycle', participant_id: moverId ?? undefined, at_ms: at };
      if (!s.auto_advance) {
        if (mover) mover.has_expired = true;
        endExpired(t, at, moverId, [timeout]);
        return;
      }
      s.consecutive_timeouts = (s.consecutive_timeouts ?? 0) + 1;
      if (s.consecutive_timeouts >= idleLimit(s)) {
        endExpired(t, at, moverId, [timeout], undefined, idleDetails(s));
        return;
      }
      passTurn(s, nextInRotation(s, moverId), at);
      t.record('cycle_timeout', at, { participant_id: moverId, timeouts: [timeout] });
      return;
    }
    case 'global':
    case 'count_up':
      endExpired(t, at, moverId, []);
  }
}

/** A participant's bank is empty at `at`: it drops out, and play goes on if two can still play. */
export function expireParticipant(t: Transition, p: ClockParticipant, at: number): void {
  p.has_expired = true;
  p.time_used_ms = Math.max(p.time_used_ms, p.total_time_ms);
  exhaustByoyomi(p);
  const timeout: Timeout = { kind: 'participant', participant_id: p.participant_id, at_ms: at };
  afterDropOut(t, p.participant_id, at, 'participant_expired', timeout);
}

/** A group's bank is empty at `at`: every member drops out. */
export function expireGroup(t: Transition, member: ClockParticipant, at: number): void {
  const group = findGroup(t.state, member.group_id);
  if (!group) return;
  group.has_expired = true;
  group.time_used_ms = Math.max(group.time_used_ms, group.total_time_ms);
  for (const p of t.state.participants) {
    if (p.group_id === group.group_id) p.has_expired = true;
  }
  const timeout: Timeout = {
    kind: 'group',
    group_id: group.group_id,
    participant_id: member.participant_id,
    at_ms: at,
  };
  afterDropOut(t, member.participant_id, at, 'group_expired', timeout);
}

function afterDropOut(
  t: Transition,
  participantId: string,
  at: number,
  type: 'participant_expired' | 'group_expired',
  timeout: Timeout,
): void {
  const s = t.state;
  const groupId = timeout.group_id;
  if (competitorsWithTime(s) < 2) {
    endExpired(t, at, participantId, [timeout], groupId);
    return;
  }
  if (s.active_participant_id === participantId) {
    // Paused (add-time took the active bank): the turn passes now, its clock starts at resume.
    const paused = s.status === 'paused';
    passTurn(s, nextInRotation(s, participantId), at);
    if (paused) startClockAt(s, null);
  }
  t.record(type, at, { participant_id: participantId, group_id: groupId, timeouts: [timeout] });
}

function endExpired(
  t: Transition,
  at: number,
  participantId: string | null,
  timeouts: Timeout[],
  groupId?: string,
  details?: Record<string, unknown>,
): void {
  const s = t.state;
  s.status = 'expired';
  s.session_completed_at = at;
  s.active_participant_id = null;
  startClockAt(s, null);
  t.record('session_expired', at, {
    participant_id: participantId,
    group_id: groupId,
    ...(details !== undefined && { details }),
    timeouts: [...timeouts, { kind: 'session', at_ms: at }],
  });
}

function idleDetails(s: ClockState): Record<string, unknown> {
  return {
    reason: 'max_idle_rounds',
    max_idle_rounds: maxIdleRoundsOf(s),
    consecutive_timeouts: s.consecutive_timeouts ?? 0,
  };
}

/** Hands the turn to `next` at `at`: its clock starts at that instant. */
export function passTurn(s: ClockState, next: ClockParticipant | null, at: number): void {
  s.active_participant_id = next?.participant_id ?? null;
  startClockAt(s, at);
  s.turn_used_ms = 0;
  if (s.turn_charged_ms !== undefined) s.turn_charged_ms = 0;
  armLowTimeForTurn(s);
}

/**
 * per_cycle with auto_advance after a long silence (the service was away): every turn that
 * timed out since is charged in one step, computed rather than walked turn by turn (O(n)),
 * and ends the session if the time-outs in a row reach `max_idle_rounds` rounds.
 */
function fastForwardCycles(t: Transition, now: number): void {
  const s = t.state;
  const budget = cycleBudgetOf(s);
  const rotation = s.participants.filter((p) => !p.has_expired);
  const start = rotation.findIndex((p) => p.participant_id === s.active_participant_id);
  const anchor = anchorOf(s);
  if (budget === null || start < 0 || anchor === null) return;
  const firstDue = anchor + budget - s.turn_used_ms;
  const turns = Math.min(Math.floor((now - firstDue) / budget) + 1, idleTimeoutsLeft(s));
  const n = rotation.length;
  for (let k = 0; k < n; k++) {
    const had = Math.floor(turns / n) + (k < turns % n ? 1 : 0);
    rotation[(start + k) % n].time_used_ms += had * budget;
  }
  rotation[start].time_used_ms -= s.turn_used_ms;
  s.elapsed_ms += turns * budget - s.turn_used_ms;
  s.consecutive_timeouts = (s.consecutive_timeouts ?? 0) + turns;
  const at = firstDue + (turns - 1) * budget;
  const first = s.active_participant_id;
  const timeouts: Timeout[] = [{ kind: 'cycle', participant_id: first ?? undefined, at_ms: at }];
  if (s.consecutive_timeouts >= idleLimit(s)) {
    const details = { skipped_cycles: turns, ...idleDetails(s) };
    endExpired(t, at, first, timeouts, undefined, details);
    return;
  }
  passTurn(s, rotation[(start + turns) % n], at);
  t.record('cycle_timeout', at, {
    participant_id: first,
    details: { skipped_cycles: turns },
    timeouts,
  });
}
