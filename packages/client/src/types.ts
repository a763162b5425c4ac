import type { SessionView, SyncMode, TimeoutKind } from './server-clock';

/** The session state every endpoint and socket event carries (contract section 2). */
export type SessionState = SessionView;
export type { SyncMode, TimeoutKind };

/** `session:state`: the state, wrapped with its id, version and the server clock it was computed at. */
export interface SessionStatePayload {
  session_id: string;
  version: number;
  server_time_ms: number;
  state: SessionState;
}

/** `session:timeout`: a clock ran out at `at_ms` (exact instant), recorded as `version`. */
export interface SessionTimeoutPayload {
  session_id: string;
  kind: TimeoutKind;
  participant_id?: string;
  group_id?: string;
  at_ms: number;
  version: number;
}

/**
 * `session:low_time`: the running clock reached the session's `low_time_ms` at `at_ms` (exact
 * instant), with `remaining_ms` left; `version` is the one that was current (contract section 9).
 */
export interface SessionLowTimePayload {
  session_id: string;
  participant_id?: string;
  group_id?: string;
  remaining_ms: number;
  at_ms: number;
  version: number;
}

/** `session:deleted`: the session is gone; the server empties its room. */
export interface SessionDeletedPayload {
  session_id: string;
  server_time_ms: number;
}

/** `session:error`, a refused acknowledgement, or an HTTP error body's `error`. */
export interface ErrorPayload {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export interface ParticipantInput {
  participant_id: string;
  participant_index?: number;
  total_time_ms?: number;
  group_id?: string;
  time_control?: Record<string, unknown>;
}

/** POST /v1/sessions (contract section 4; section 7 and 9 fields pass through as given). */
export interface CreateSessionRequest {
  session_id: string;
  sync_mode: SyncMode;
  participants: ParticipantInput[];
  total_time_ms?: number;
  time_per_cycle_ms?: number;
  increment_ms?: number;
  max_time_ms?: number;
  auto_advance?: boolean;
  max_idle_rounds?: number;
  metadata?: Record<string, unknown>;
  time_control?: Record<string, unknown>;
  webhook?: { url: string; events?: string[] };
  low_time_ms?: number;
}

export interface SwitchRequest {
  next_participant_id?: string;
  expected_version?: number;
  current_participant_id?: string;
}

export interface AddTimeRequest {
  ms: number;
  participant_id?: string;
  group_id?: string;
}

export interface StartRequest {
  /** Start later, at this server epoch ms (contract section 9). */
  at_ms?: number;
}

/** One session of a bulk start: the status and state, or error, a start of it alone had. */
export interface BulkStartItem {
  session_id: string;
  status: number;
  data?: SessionState;
  error?: ErrorPayload;
}

/** The answer of a switch: the state, plus who ran out of time during it, if anybody. */
export type SwitchResult = SessionState & { expired_participant_id?: string };

export interface ServerTime {
  timestamp_ms: number;
  server_version: string;
  drift_tolerance_ms: number;
}

export interface CommandOptions {
  /** Sent as `Idempotency-Key` (REST) or `idempotency_key` (socket): a repeat changes nothing. */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export interface SwitchOptions extends CommandOptions {
  /** `socket` sends `session:switch` over the client's socket (connected on demand). */
  via?: 'rest' | 'socket';
}

export interface WatchCallbacks {
  /** A newer state: versions strictly increase, none is delivered twice. */
  onState?: (state: SessionState) => void;
  onTimeout?: (payload: SessionTimeoutPayload) => void;
  /** The running clock reached `low_time_ms` (once per warning, however often it arrives). */
  onLowTime?: (payload: SessionLowTimePayload) => void;
  onDeleted?: (payload: SessionDeletedPayload) => void;
  onError?: (payload: ErrorPayload) => void;
}
