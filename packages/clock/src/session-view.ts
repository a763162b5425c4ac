import {
  ClockGroup,
  ClockParticipant,
  ClockState,
  SessionStatus,
  SessionWebhook,
  SyncMode,
} from './clock.types';
import { liveOf } from './controlled-turn';
import { maxIdleRoundsOf } from './idle-rounds';
import {
  activeParticipant,
  cycleBudgetOf,
  findGroup,
  remainingAtAnchor,
  runSinceAnchor,
} from './running-clock';
import { controlOf } from './time-control';
import { ByoyomiView, TimeControl } from './time-control.types';

export interface ParticipantView {
  participant_id: string;
  participant_index: number;
  group_id?: string;
  total_time_ms: number;
  time_used_ms: number;
  time_remaining_ms: number | null;
  cycle_count: number;
  is_active: boolean;
  has_expired: boolean;
  /** Under a time control (section 7): its effective control and live turn. */
  time_control?: TimeControl;
  stage_index?: number;
  delay_remaining_ms?: number;
  byoyomi_state?: ByoyomiView | null;
  /** Japanese byo-yomi: the periods left as of the start of its current (or next) turn. */
  byoyomi_periods_left?: number;
}

export interface GroupView {
  group_id: string;
  total_time_ms: number;
  time_used_ms: number;
  time_remaining_ms: number;
  has_expired: boolean;
  is_active: boolean;
}

/** The session as the contract (section 2) shows it, live at `server_time_ms`. */
export interface SessionView {
  session_id: string;
  sync_mode: SyncMode;
  status: SessionStatus;
  version: number;
  participants: ParticipantView[];
  groups?: GroupView[];
  active_participant_id: string | null;
  total_time_ms: number;
  time_per_cycle_ms: number | null;
  increment_ms: number;
  max_time_ms?: number;
  auto_advance: boolean;
  /** The session's time control (section 7); null when none. */
  time_control: TimeControl | null;
  /** per_cycle: time-outs in a row (of `max_idle_rounds` rounds) that end the session. */
  max_idle_rounds?: number;
  consecutive_timeouts?: number;
  cycle_started_at: string | null;
  session_started_at: string | null;
  session_completed_at: string | null;
  created_at: string;
  updated_at: string;
  time_remaining_ms: number | null;
  time_elapsed_ms: number;
  server_time_ms: number;
  metadata?: Record<string, unknown>;
  webhook: SessionWebhook | null;
  /** Section 9: a start scheduled for later; null when none. */
  scheduled_start_at: string | null;
  /** Section 9: the low-time warning threshold; null when none. */
  low_time_ms: number | null;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * Computes the live view of a state at `now`. The state must already be settled to `now`
 * (see `settle`), so that no clock shown has run past zero.
 */
export function toView(state: ClockState, now: number): SessionView {
  const run = runSinceAnchor(state, now);
  const active = activeParticipant(state);
  const activeGroupId = active?.group_id;
  const participants = state.participants.map((p) => participantView(state, p, p === active, run));
  const view: SessionView = {
    session_id: state.session_id,
    sync_mode: state.sync_mode,
    status: state.status,
    version: state.version,
    participants,
    active_participant_id: state.active_participant_id,
    total_time_ms: state.total_time_ms,
    time_per_cycle_ms: state.time_per_cycle_ms,
    increment_ms: state.increment_ms,
    auto_advance: state.auto_advance,
    time_control: state.time_control ?? null,
    cycle_started_at: iso(state.cycle_started_at),
    session_started_at: iso(state.session_started_at),
    session_completed_at: iso(state.session_completed_at),
    created_at: iso(state.created_at) as string,
    updated_at: iso(state.updated_at) as string,
    time_remaining_ms: runningRemaining(state, participants, run),
    time_elapsed_ms: state.elapsed_ms + run,
    server_time_ms: now,
    webhook: state.webhook ?? null,
    scheduled_start_at: iso(state.scheduled_start_at ?? null),
    low_time_ms: state.low_time_ms ?? null,
  };
  if (state.sync_mode === 'per_cycle') {
    view.max_idle_rounds = maxIdleRoundsOf(state);
    view.consecutive_timeouts = state.consecutive_timeouts ?? 0;
  }
  if (state.groups !== null) {
    view.groups = state.groups.map((g) => groupView(g, g.group_id === activeGroupId, run));
  }
  if (state.max_time_ms !== null) view.max_time_ms = state.max_time_ms;
  if (state.metadata !== undefined) view.metadata = state.metadata;
  return view;
}

/** The clock running down now (section 2); in per_participant the active one's bank. */
function runningRemaining(
  state: ClockState,
  participants: ParticipantView[],
  run: number,
): number | null {
  if (state.sync_mode === 'per_participant') {
    const active = participants.find((p) => p.is_active);
    return active ? active.time_remaining_ms : null;
  }
  const left = remainingAtAnchor(state);
  return left === null ? null : Math.max(0, left - run);
}

function participantView(
  state: ClockState,
  p: ClockParticipant,
  isActive: boolean,
  run: number,
): ParticipantView {
  const view: ParticipantView = {
    participant_id: p.participant_id,
    participant_index: p.participant_index,
    total_time_ms: p.total_time_ms,
    time_used_ms: p.time_used_ms + (isActive ? run : 0),
    time_remaining_ms: participantRemaining(state, p, isActive, run),
    cycle_count: p.cycle_count,
    is_active: isActive,
    has_expired: p.has_expired,
  };
  if (p.group_id !== undefined) view.group_id = p.group_id;
  const control = controlOf(state, p);
  if (control) {
    // On main time, used = total - remaining: a delay never counts as used.
    const live = liveOf(state, p, control, isActive, run);
    view.time_used_ms = p.total_time_ms - live.bank;
    view.time_remaining_ms = live.bank;
    view.time_control = control;
    view.stage_index = live.stage_index;
    view.delay_remaining_ms = live.delay_remaining_ms;
    view.byoyomi_state = live.byoyomi_state;
    if (live.byoyomi_periods_left !== undefined) {
      view.byoyomi_periods_left = live.byoyomi_periods_left;
    }
  }
  return view;
}

/**
 * What is left for this participant, live: its bank, its group's bank, its turn (a waiting
 * participant has a whole turn ahead), or the shared countdown. Null only in count_up
 * without a cap, where nothing runs down.
 */
function participantRemaining(
  state: ClockState,
  p: ClockParticipant,
  isActive: boolean,
  run: number,
): number | null {
  switch (state.sync_mode) {
    case 'per_participant':
      return Math.max(0, p.total_time_ms - p.time_used_ms - (isActive ? run : 0));
    case 'per_group': {
      const g = findGroup(state, p.group_id);
      if (!g) return 0;
      const groupRuns = activeParticipant(state)?.group_id === g.group_id;
      return Math.max(0, g.total_time_ms - g.time_used_ms - (groupRuns ? run : 0));
    }
    case 'per_cycle': {
      const budget = cycleBudgetOf(state) ?? 0;
      if (!isActive) return p.has_expired ? 0 : budget;
      return Math.max(0, budget - state.turn_used_ms - run);
    }
    case 'global':
      return Math.max(0, state.total_time_ms - state.elapsed_ms - run);
    case 'count_up':
      return state.max_time_ms === null
        ? null
        : Math.max(0, state.max_time_ms - state.elapsed_ms - run);
  }
}

function groupView(g: ClockGroup, isActive: boolean, run: number): GroupView {
  const used = g.time_used_ms + (isActive ? run : 0);
  return {
    group_id: g.group_id,
    total_time_ms: g.total_time_ms,
    time_used_ms: used,
    time_remaining_ms: Math.max(0, g.total_time_ms - used),
    has_expired: g.has_expired,
    is_active: isActive,
  };
}
