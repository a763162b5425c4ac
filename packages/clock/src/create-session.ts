import { DomainError, FieldError } from './domain-error';
import { ClockGroup, ClockParticipant, ClockState, CreateSessionInput, Step } from './clock.types';
import { DEFAULT_MAX_IDLE_ROUNDS } from './idle-rounds';
import { lowTimeErrors } from './low-time';
import { freshByoyomi } from './time-control';
import { normalizeTimeControl } from './time-control.rules';
import { TimeControl } from './time-control.types';
import { timeControlScopeErrors } from './time-control-scope';
import { cloneState } from './transition';

/** Limits of contract section 4 that only make sense across fields. */
export const MAX_METADATA_BYTES = 8 * 1024;

/** A null is taken as absent: validation pipes let it through as an omitted optional field. */
const given = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined;

/**
 * Builds the first state of a session (version 1, pending) and its `session_created` step.
 * Field formats and ranges are the DTO's job; the rules that tie fields together live here.
 */
export function createSession(
  input: CreateSessionInput,
  now: number,
): { state: ClockState; step: Step } {
  const errors = crossFieldErrors(input);
  if (errors.length > 0) throw DomainError.validation(errors);
  const sessionControl = given(input.time_control)
    ? normalizeTimeControl(input.time_control)
    : undefined;
  const fallback = given(input.total_time_ms) ? input.total_time_ms : budgetWithoutBanks(input);
  const participants = buildParticipants(input, sessionControl, fallback);
  const controlled = sessionControl !== undefined || participants[0]?.time_control !== undefined;
  const state: ClockState = {
    session_id: input.session_id,
    sync_mode: input.sync_mode,
    status: 'pending',
    version: 1,
    participants,
    groups: input.sync_mode === 'per_group' ? buildGroups(participants) : null,
    active_participant_id: null,
    total_time_ms: sessionBudget(input, participants, fallback),
    time_per_cycle_ms: input.time_per_cycle_ms ?? null,
    increment_ms: input.increment_ms ?? 0,
    max_time_ms: input.max_time_ms ?? null,
    auto_advance: input.auto_advance ?? true,
    cycle_started_at: null,
    session_started_at: null,
    session_completed_at: null,
    created_at: now,
    updated_at: now,
    elapsed_ms: 0,
    turn_used_ms: 0,
    ...(given(input.metadata) && { metadata: input.metadata }),
    ...(sessionControl !== undefined && { time_control: sessionControl }),
    ...(controlled && { turn_charged_ms: 0 }),
    ...(input.sync_mode === 'per_cycle' && {
      max_idle_rounds: input.max_idle_rounds ?? DEFAULT_MAX_IDLE_ROUNDS,
      consecutive_timeouts: 0,
    }),
    ...(given(input.webhook) && { webhook: { ...input.webhook } }),
    ...(given(input.low_time_ms) && { low_time_ms: input.low_time_ms }),
  };
  const step: Step = {
    type: 'session_created',
    version: 1,
    at: now,
    participant_id: null,
    timeouts: [],
    state: cloneState(state),
  };
  return { state, step };
}

function crossFieldErrors(input: CreateSessionInput): FieldError[] {
  const errors: FieldError[] = [];
  const mode = input.sync_mode;
  const controlled = input.sync_mode === 'per_participant' && hasAnyControl(input);
  const needsBank = (mode === 'per_participant' && !controlled) || mode === 'per_group';
  const ids = new Set<string>();
  const indexes = new Set<number>();
  input.participants.forEach((p, i) => {
    const at = (field: string) => `participants.${i}.${field}`;
    if (ids.has(p.participant_id))
      errors.push({ field: at('participant_id'), message: 'must be unique in the session' });
    ids.add(p.participant_id);
    const index = p.participant_index ?? i;
    if (indexes.has(index))
      errors.push({ field: at('participant_index'), message: 'must be unique in the session' });
    indexes.add(index);
    if (needsBank && !given(p.total_time_ms)) {
      errors.push({ field: at('total_time_ms'), message: `is required in ${mode} mode` });
    }
    if (mode === 'per_group' && !given(p.group_id)) {
      errors.push({ field: at('group_id'), message: 'is required in per_group mode' });
    }
  });
  if (mode === 'per_cycle' && !given(input.time_per_cycle_ms)) {
    errors.push({ field: 'time_per_cycle_ms', message: 'is required in per_cycle mode' });
  }
  if (mode === 'global' && !given(input.total_time_ms)) {
    errors.push({ field: 'total_time_ms', message: 'is required in global mode' });
  }
  if (mode === 'per_group') errors.push(...groupBankErrors(input));
  errors.push(...timeControlScopeErrors(input));
  errors.push(...lowTimeErrors(input.low_time_ms));
  if (given(input.metadata) && jsonBytes(input.metadata) > MAX_METADATA_BYTES) {
    errors.push({
      field: 'metadata',
      message: `must be at most ${MAX_METADATA_BYTES} bytes as JSON`,
    });
  }
  return errors;
}

function hasAnyControl(input: CreateSessionInput): boolean {
  return given(input.time_control) || input.participants.some((p) => given(p.time_control));
}

/** UTF-8 length without Node's Buffer: the clock also runs in browsers. */
function jsonBytes(value: unknown): number {
  return new TextEncoder().encode(JSON.stringify(value)).length;
}

function groupBankErrors(input: CreateSessionInput): FieldError[] {
  const banks = new Map<string, number>();
  const errors: FieldError[] = [];
  input.participants.forEach((p, i) => {
    if (!given(p.group_id) || !given(p.total_time_ms)) return;
    const bank = banks.get(p.group_id);
    if (bank === undefined) banks.set(p.group_id, p.total_time_ms);
    else if (bank !== p.total_time_ms) {
      errors.push({
        field: `participants.${i}.total_time_ms`,
        message: `members of group ${p.group_id} must be given the same total_time_ms (${bank})`,
      });
    }
  });
  return errors;
}

/**
 * The session's own budget where it was not given (no rule reads it outside global): what
 * its clocks start with, the banks together (per_participant, per_group); else `fallback`.
 */
function sessionBudget(
  input: CreateSessionInput,
  participants: ClockParticipant[],
  fallback: number,
): number {
  if (given(input.total_time_ms)) return input.total_time_ms;
  if (input.sync_mode === 'per_participant')
    return participants.reduce((sum, p) => sum + p.total_time_ms, 0);
  if (input.sync_mode === 'per_group')
    return buildGroups(participants).reduce((sum, g) => sum + g.total_time_ms, 0);
  return fallback;
}

/** A budget for the modes without banks when none was given: a turn (per_cycle), the cap. */
function budgetWithoutBanks(input: CreateSessionInput): number {
  if (input.sync_mode === 'per_cycle') return input.time_per_cycle_ms ?? 0;
  return input.max_time_ms ?? 0;
}

/** Participants in rotation order; under a control each starts with its first stage. */
function buildParticipants(
  input: CreateSessionInput,
  sessionControl: TimeControl | undefined,
  fallback: number,
): ClockParticipant[] {
  const perParticipant = input.sync_mode === 'per_participant';
  const participants = input.participants.map((p, i): ClockParticipant => {
    const own =
      perParticipant && given(p.time_control) ? normalizeTimeControl(p.time_control) : undefined;
    const control = perParticipant ? (own ?? sessionControl) : undefined;
    return {
      participant_id: p.participant_id,
      participant_index: p.participant_index ?? i,
      ...(given(p.group_id) && { group_id: p.group_id }),
      total_time_ms: control ? control.stages[0].time_ms : (p.total_time_ms ?? fallback),
      time_used_ms: 0,
      cycle_count: 0,
      has_expired: false,
      ...(own !== undefined && { time_control: own }),
      ...(control?.byoyomi !== undefined && { byoyomi: freshByoyomi(control.byoyomi) }),
    };
  });
  return participants.sort((a, b) => a.participant_index - b.participant_index);
}

function buildGroups(participants: ClockParticipant[]): ClockGroup[] {
  const groups = new Map<string, ClockGroup>();
  for (const p of participants) {
    if (p.group_id === undefined || groups.has(p.group_id)) continue;
    groups.set(p.group_id, {
      group_id: p.group_id,
      total_time_ms: p.total_time_ms,
      time_used_ms: 0,
      has_expired: false,
    });
  }
  return [...groups.values()];
}
