import { ClockParticipant, ClockState, Timeout } from './clock.types';
import {
  activeParticipant,
  chargeRun,
  competitorsWithTime,
  deadlineOf,
  findGroup,
  nextInRotation,
} from './running-clock';
import { Transition } from './transition';

/** Beyond this many turn time-outs in one settle, the rest are fast-forwarded as one step. */
export const MAX_TIMEOUT_STEPS = 64;

/**
 * Brings a running session up to `now`: every clock that reached zero before (or at) `now`
 * is settled at the exact instant it did, one step each, in order.
 */
export function settle(t: Transition, now: number): void {
  let timeouts = 0;
  for (let due = deadlineOf(t.state); due !== null && due <= now; due = deadlineOf(t.state)) {
    if (++timeouts > MAX_TIMEOUT_STEPS && t.state.sync_mode === 'per_cycle') {
      fastForwardCycles(t, now);
      continue;
    }
    chargeRun(t.state, due - (t.state.cycle_started_at ?? due));
    t.state.cycle_started_at = due;
    expireRunningClock(t, due);
  }
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
  if (s.status === 'running' && s.active_participant_id === participantId) {
    passTurn(s, nextInRotation(s, participantId), at);
  }
  t.record(type, at, { participant_id: participantId, group_id: groupId, timeouts: [timeout] });
}

function endExpired(
  t: Transition,
  at: number,
  participantId: string | null,
  timeouts: Timeout[],
  groupId?: string,
): void {
  const s = t.state;
  s.status = 'expired';
  s.session_completed_at = at;
  s.active_participant_id = null;
  s.cycle_started_at = null;
  t.record('session_expired', at, {
    participant_id: participantId,
    group_id: groupId,
    timeouts: [...timeouts, { kind: 'session', at_ms: at }],
  });
}

/** Hands the turn to `next` at `at`: its clock starts at that instant. */
export function passTurn(s: ClockState, next: ClockParticipant | null, at: number): void {
  s.active_participant_id = next?.participant_id ?? null;
  s.cycle_started_at = at;
  s.turn_used_ms = 0;
}

/**
 * per_cycle with auto_advance after a long silence (the service was away): every whole turn
 * that timed out since is charged in one step instead of one step per turn.
 */
function fastForwardCycles(t: Transition, now: number): void {
  const s = t.state;
  const cycle = s.time_per_cycle_ms ?? 1;
  const anchor = s.cycle_started_at ?? now;
  const turns = Math.floor((now - anchor) / cycle);
  const first = s.active_participant_id;
  for (let i = 0; i < turns; i++) {
    chargeRun(s, cycle);
    passTurn(s, nextInRotation(s, s.active_participant_id), anchor + (i + 1) * cycle);
  }
  const at = anchor + turns * cycle;
  t.record('cycle_timeout', at, {
    participant_id: first,
    details: { skipped_cycles: turns },
    timeouts: [{ kind: 'cycle', participant_id: first ?? undefined, at_ms: at }],
  });
}
