import { DomainError } from './domain-error';
import {
  AddTimeCommand,
  ClockState,
  Command,
  FINAL_STATUSES,
  Step,
  SwitchCommand,
} from './clock.types';
import { applyAddTime } from './add-time';
import { completeMove } from './controlled-turn';
import { controlOf } from './time-control';
import { MoveAccount } from './time-control.types';
import {
  activeParticipant,
  anchorWithinTurn,
  findParticipant,
  nextInRotation,
  reanchor,
  startClockAt,
} from './running-clock';
import { applyStart } from './schedule';
import { passTurn, settle } from './settle';
import { Transition } from './transition';

export interface CommandResult {
  /** The state after every step (the input state, untouched, when there is none). */
  state: ClockState;
  /** The changes, in order: each one version. Those of settling come first. */
  steps: Step[];
  /** Set when the command was refused; the settling steps are still to be kept. */
  error?: DomainError;
  /** switch: the participant (or group member) whose time ran out during this request. */
  expired_participant_id?: string;
}

/**
 * Applies a command at `now`. Every command first settles the clocks to `now`, so that what
 * ran out before it is recorded at the instant it ran out, whoever notices it first.
 */
export function applyCommand(state: ClockState, command: Command, now: number): CommandResult {
  const t = new Transition(state);
  settle(t, now);
  const settled = t.steps.length;
  let error: DomainError | undefined;
  let expired: string | undefined;
  try {
    if (command.kind === 'switch') {
      // A scheduled start found while settling is no time-out: the switch goes on.
      const ranOut = t.steps.some((step) => step.timeouts.length > 0);
      expired = applySwitch(t, command, state, ranOut, now);
    } else {
      applyOther(t, command, now);
    }
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    error = e;
  }
  if (error) {
    // A refused command changes nothing: what it did before refusing is dropped, and only
    // the settling (which happened whatever the command) is kept.
    const steps = t.steps.slice(0, settled);
    return { state: steps.at(-1)?.state ?? state, steps, error };
  }
  return {
    state: t.steps.length > 0 ? t.state : state,
    steps: t.steps,
    ...(expired !== undefined && { expired_participant_id: expired }),
  };
}

function applyOther(t: Transition, command: Exclude<Command, SwitchCommand>, now: number): void {
  switch (command.kind) {
    case 'settle':
      return;
    case 'start':
      return applyStart(t, command, now);
    case 'pause':
      return pause(t, now);
    case 'resume':
      return resume(t, now);
    case 'complete':
    case 'cancel':
      return finish(t, command.kind, now);
    case 'add_time':
      return addTime(t, command, now);
  }
}

function requireStatus(s: ClockState, allowed: ClockState['status'][], action: string): void {
  if (!allowed.includes(s.status)) throw DomainError.invalidTransition(s.status, action);
}

function pause(t: Transition, now: number): void {
  const s = t.state;
  requireStatus(s, ['running'], 'pause');
  reanchor(s, now);
  s.status = 'paused';
  startClockAt(s, null);
  t.record('session_paused', now, { participant_id: s.active_participant_id });
}

function resume(t: Transition, now: number): void {
  const s = t.state;
  requireStatus(s, ['paused'], 'resume');
  s.status = 'running';
  startClockAt(s, now);
  t.record('session_resumed', now, { participant_id: s.active_participant_id });
}

function finish(t: Transition, kind: 'complete' | 'cancel', now: number): void {
  const s = t.state;
  requireStatus(s, ['pending', 'running', 'paused'], kind);
  reanchor(s, now);
  s.status = kind === 'complete' ? 'completed' : 'cancelled';
  s.session_completed_at = now;
  s.active_participant_id = null;
  delete s.scheduled_start_at; // a start scheduled for later is overridden
  startClockAt(s, null);
  t.record(kind === 'complete' ? 'session_completed' : 'session_cancelled', now);
}

function addTime(t: Transition, command: AddTimeCommand, now: number): void {
  const s = t.state;
  if (FINAL_STATUSES.has(s.status)) throw DomainError.invalidTransition(s.status, 'add time');
  // Section 7: under a control the turn goes on from where it started (the delay included).
  const active = activeParticipant(s);
  if (active && controlOf(s, active)) anchorWithinTurn(s, now);
  else reanchor(s, now);
  applyAddTime(t, command, now);
  settle(t, now);
}

/**
 * Ends the active turn. When the turn this request meant to end already ran out (found while
 * settling), the time-out has passed the turn on and the switch is answered with that result
 * instead of passing it a second time.
 */
function applySwitch(
  t: Transition,
  command: SwitchCommand,
  before: ClockState,
  ranOut: boolean,
  now: number,
): string | undefined {
  const s = t.state;
  if (command.expected_version !== undefined && command.expected_version !== before.version) {
    throw new DomainError(
      'CONFLICT',
      `expected version ${command.expected_version}, session is at ${before.version}`,
      { expected_version: command.expected_version, actual_version: before.version },
    );
  }
  const claimant = command.current_participant_id;
  const claimsNewTurn = claimant !== undefined && claimant === s.active_participant_id;
  if (
    ranOut &&
    !claimsNewTurn &&
    (claimant === undefined || claimant === before.active_participant_id)
  ) {
    return firstExpiredId(t.steps);
  }
  requireStatus(s, ['running'], 'switch');
  if (claimant !== undefined && !claimsNewTurn) {
    throw new DomainError(
      'NOT_ACTIVE_PARTICIPANT',
      `participant ${claimant} is not the active participant`,
      { current_participant_id: claimant, active_participant_id: s.active_participant_id },
    );
  }
  passTurnOnSwitch(t, command.next_participant_id, now);
  return ranOut ? firstExpiredId(t.steps) : undefined;
}

function passTurnOnSwitch(t: Transition, nextId: string | undefined, now: number): void {
  const s = t.state;
  const mover = activeParticipant(s);
  const next =
    nextId === undefined ? nextInRotation(s, s.active_participant_id) : findParticipant(s, nextId);
  if (nextId !== undefined && (!next || next.has_expired)) {
    throw DomainError.invalidField(
      'next_participant_id',
      next
        ? `participant ${nextId} has no time left`
        : `participant ${nextId} is not in this session`,
    );
  }
  reanchor(s, now);
  const account = mover ? endTurnOf(s, mover.participant_id) : undefined;
  passTurn(s, next ?? null, now);
  // Somebody played: the count of turns that timed out in a row starts again.
  if (s.consecutive_timeouts !== undefined) s.consecutive_timeouts = 0;
  t.record('cycle_switched', now, {
    participant_id: mover?.participant_id ?? null,
    details: { next_participant_id: s.active_participant_id, ...account },
  });
}

/** The mover's side of a switch: its time control's move, or the plain Fischer increment. */
function endTurnOf(s: ClockState, moverId: string): MoveAccount | undefined {
  const mover = findParticipant(s, moverId);
  if (!mover) return undefined;
  const control = controlOf(s, mover);
  if (control) return completeMove(s, mover, control);
  mover.cycle_count += 1;
  creditIncrement(s, moverId);
  return undefined;
}

/** Fischer increment: to the mover's bank, or its group's. Nothing in modes without banks. */
function creditIncrement(s: ClockState, moverId: string): void {
  if (s.increment_ms <= 0) return;
  const mover = findParticipant(s, moverId);
  if (!mover) return;
  if (s.sync_mode === 'per_participant') mover.total_time_ms += s.increment_ms;
  if (s.sync_mode === 'per_group') {
    const g = s.groups?.find((x) => x.group_id === mover.group_id);
    if (g) g.total_time_ms += s.increment_ms;
  }
}

function firstExpiredId(steps: Step[]): string | undefined {
  for (const step of steps) {
    for (const timeout of step.timeouts) {
      const bankEmptied = timeout.kind === 'participant' || timeout.kind === 'group';
      const lastTurnTimedOut = timeout.kind === 'cycle' && step.type === 'session_expired';
      if ((bankEmptied || lastTurnTimedOut) && timeout.participant_id)
        return timeout.participant_id;
    }
  }
  return undefined;
}
