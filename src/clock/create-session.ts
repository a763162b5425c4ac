import { DomainError, FieldError } from '../common/errors/domain-error';
import { ClockGroup, ClockParticipant, ClockState, CreateSessionInput, Step } from './clock.types';
import { cloneState } from './transition';

/** Limits of contract section 4 that only make sense across fields. */
export const MAX_METADATA_BYTES = 8 * 1024;

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
  const participants = buildParticipants(input);
  const state: ClockState = {
    session_id: input.session_id,
    sync_mode: input.sync_mode,
    status: 'pending',
    version: 1,
    participants,
    groups: input.sync_mode === 'per_group' ? buildGroups(participants) : null,
    active_participant_id: null,
    total_time_ms: input.total_time_ms,
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
    ...(input.metadata !== undefined && { metadata: input.metadata }),
    ...(input.webhook !== undefined && { webhook: { ...input.webhook } }),
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
  const needsBank = input.sync_mode === 'per_participant' || input.sync_mode === 'per_group';
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
    if (needsBank && p.total_time_ms === undefined) {
      errors.push({
        field: at('total_time_ms'),
        message: `is required in ${input.sync_mode} mode`,
      });
    }
    if (input.sync_mode === 'per_group' && p.group_id === undefined) {
      errors.push({ field: at('group_id'), message: 'is required in per_group mode' });
    }
  });
  if (input.sync_mode === 'per_cycle' && input.time_per_cycle_ms === undefined) {
    errors.push({ field: 'time_per_cycle_ms', message: 'is required in per_cycle mode' });
  }
  if (input.sync_mode === 'per_group') errors.push(...groupBankErrors(input));
  if (
    input.metadata !== undefined &&
    Buffer.byteLength(JSON.stringify(input.metadata)) > MAX_METADATA_BYTES
  ) {
    errors.push({
      field: 'metadata',
      message: `must be at most ${MAX_METADATA_BYTES} bytes as JSON`,
    });
  }
  return errors;
}

function groupBankErrors(input: CreateSessionInput): FieldError[] {
  const banks = new Map<string, number>();
  const errors: FieldError[] = [];
  input.participants.forEach((p, i) => {
    if (p.group_id === undefined || p.total_time_ms === undefined) return;
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

function buildParticipants(input: CreateSessionInput): ClockParticipant[] {
  return input.participants
    .map((p, i) => ({
      participant_id: p.participant_id,
      participant_index: p.participant_index ?? i,
      ...(p.group_id !== undefined && { group_id: p.group_id }),
      total_time_ms: p.total_time_ms ?? input.total_time_ms,
      time_used_ms: 0,
      cycle_count: 0,
      has_expired: false,
    }))
    .sort((a, b) => a.participant_index - b.participant_index);
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
