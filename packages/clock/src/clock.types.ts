import { ByoyomiClock, DelayKind, ByoyomiKind, TimeControl } from './time-control.types';

/**
 * The stored shape of a session. Every clock is an anchor: balances are as of `cycle_started_at`
 * while running (or frozen while not), and every live value is computed from them at `now`.
 * All instants are epoch milliseconds; the view turns them into ISO strings.
 */
export const SYNC_MODES = [
  'per_participant',
  'per_cycle',
  'per_group',
  'global',
  'count_up',
] as const;
export type SyncMode = (typeof SYNC_MODES)[number];

export const SESSION_STATUSES = [
  'pending',
  'running',
  'paused',
  'expired',
  'completed',
  'cancelled',
] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export const FINAL_STATUSES: ReadonlySet<SessionStatus> = new Set([
  'expired',
  'completed',
  'cancelled',
]);

export interface ClockParticipant {
  participant_id: string;
  participant_index: number;
  group_id?: string;
  /** Bank modes: initial bank + increments + added time. Elsewhere: as given, unused. */
  total_time_ms: number;
  /** Time this participant's clock has run, as of the anchor. */
  time_used_ms: number;
  cycle_count: number;
  has_expired: boolean;
  /** Its own time control (time odds); absent when it plays by the session's, or none. */
  time_control?: TimeControl;
  /** Present when its effective control has byo-yomi. */
  byoyomi?: ByoyomiClock;
}

export interface ClockGroup {
  group_id: string;
  total_time_ms: number;
  time_used_ms: number;
  has_expired: boolean;
}

export interface ClockState {
  session_id: string;
  sync_mode: SyncMode;
  status: SessionStatus;
  version: number;
  /** Sorted by participant_index: the rotation order. */
  participants: ClockParticipant[];
  /** per_group only, in order of first appearance in the rotation. */
  groups: ClockGroup[] | null;
  active_participant_id: string | null;
  /** The session's budget: as given, or derived when not given (see createSession). */
  total_time_ms: number;
  time_per_cycle_ms: number | null;
  increment_ms: number;
  max_time_ms: number | null;
  auto_advance: boolean;
  /** When the current turn's clock started running (or resumed). Null unless running. */
  cycle_started_at: number | null;
  /**
   * The anchor, when it is later than `cycle_started_at`: under a time control add-time
   * charges the turn up to its instant, and section 7 keeps `cycle_started_at` at the turn's
   * start. Absent: the anchor is `cycle_started_at`.
   */
  anchored_at?: number;
  session_started_at: number | null;
  session_completed_at: number | null;
  created_at: number;
  updated_at: number;
  /** Running time of the session (pauses excluded) as of the anchor. */
  elapsed_ms: number;
  /** Time used of the current turn as of the anchor (the per_cycle budget, a delay's `t`). */
  turn_used_ms: number;
  metadata?: Record<string, unknown>;
  /** per_participant: the session's time control; absent when none. */
  time_control?: TimeControl;
  /** With time controls: what the main bank lost in the current turn so far (audit only). */
  turn_charged_ms?: number;
  /** per_cycle: rounds of time-outs in a row that end the session (absent: the default). */
  max_idle_rounds?: number;
  /** per_cycle: turns that timed out in a row since the last switch (absent: 0). */
  consecutive_timeouts?: number;
  webhook?: SessionWebhook;
  /** A start scheduled for later (contract section 9): pending until this instant. */
  scheduled_start_at?: number;
  /** Section 9: warn when the running clock's remaining time reaches this; absent: never. */
  low_time_ms?: number;
  /**
   * The watched clock (this turn's, or the session's) was above `low_time_ms` when it started
   * running and has not reached it yet: its crossing is still to be warned of (see low-time.ts).
   */
  low_time_armed?: boolean;
}

/** A session's own webhook (contract section 9); without one, the service's default applies. */
export interface SessionWebhook {
  url: string;
  events: string[];
}

export const EVENT_TYPES = [
  'session_created',
  'session_scheduled',
  'session_started',
  'cycle_switched',
  'session_paused',
  'session_resumed',
  'session_completed',
  'session_cancelled',
  'participant_expired',
  'group_expired',
  'cycle_timeout',
  'session_expired',
  'time_added',
  'session_deleted',
  'session_restored',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export type TimeoutKind = 'participant' | 'group' | 'cycle' | 'session';

/** A clock that reached zero; pushed to watchers as `session:timeout`. */
export interface Timeout {
  kind: TimeoutKind;
  participant_id?: string;
  group_id?: string;
  at_ms: number;
}

/** One change of state: one new version, one audit row. */
export interface Step {
  type: EventType;
  version: number;
  at: number;
  participant_id: string | null;
  group_id?: string;
  details?: Record<string, unknown>;
  timeouts: Timeout[];
  /** The state right after this step. */
  state: ClockState;
}

export interface SwitchCommand {
  kind: 'switch';
  next_participant_id?: string;
  expected_version?: number;
  current_participant_id?: string;
}

/**
 * Start now, or (with `at_ms`) at that instant (section 9). `accepted_at`: the instant the
 * request was accepted, which `at_ms` is checked against and a start without `at_ms` is
 * anchored at (a bulk start anchors every session at one instant); default `now`.
 */
export interface StartCommand {
  kind: 'start';
  at_ms?: number;
  accepted_at?: number;
}

export interface AddTimeCommand {
  kind: 'add_time';
  participant_id?: string;
  group_id?: string;
  ms: number;
}

export type Command =
  | { kind: 'settle' }
  | StartCommand
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'complete' }
  | { kind: 'cancel' }
  | SwitchCommand
  | AddTimeCommand;

export type CommandKind = Command['kind'];

/** Create input; a null is taken as absent (validation pipes let it through as "optional"). */
export interface StageInput {
  time_ms: number;
  increment_ms?: number | null;
  delay_ms?: number | null;
  moves?: number | null;
}

export interface ByoyomiInput {
  kind: ByoyomiKind;
  periods?: number | null;
  moves?: number | null;
  period_ms: number;
}

export interface TimeControlInput {
  stages: StageInput[];
  delay_kind?: DelayKind | null;
  increment_cap_ms?: number | null;
  byoyomi?: ByoyomiInput | null;
}

export interface ParticipantInput {
  participant_id: string;
  participant_index?: number | null;
  total_time_ms?: number | null;
  group_id?: string | null;
  time_control?: TimeControlInput | null;
}

export interface CreateSessionInput {
  session_id: string;
  sync_mode: SyncMode;
  participants: ParticipantInput[];
  total_time_ms?: number | null;
  time_per_cycle_ms?: number | null;
  increment_ms?: number | null;
  max_time_ms?: number | null;
  auto_advance?: boolean | null;
  metadata?: Record<string, unknown> | null;
  time_control?: TimeControlInput | null;
  max_idle_rounds?: number | null;
  webhook?: SessionWebhook;
  low_time_ms?: number | null;
}
