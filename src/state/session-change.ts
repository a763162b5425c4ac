import { ClockState, LowTimeCrossing, Step, SessionView } from '@synckairos/clock';

/** A committed change of a session: one or more new versions, already in Redis. */
export interface SessionChange {
  sessionId: string;
  /**
   * The state stored before the write that made this change (the same for every change of one
   * write); null when the session was created (or restored).
   */
  before: ClockState | null;
  after: ClockState;
  /** `after` as Redis holds it (JSON text), when the writer has it at hand. */
  stored?: string;
  /**
   * A later change of the same write follows (commands that committed together): `after` was
   * never stored by itself, so what acts on the stored state (a deadline) waits for the last.
   */
  superseded?: boolean;
  /** One per new version, oldest first. */
  steps: Step[];
  /** `after`, live at `now`. */
  view: SessionView;
  now: number;
  /** Some instance has sockets watching the session: the change is worth a push. */
  watched: boolean;
  /**
   * Found in an outbox by the relay, its writer having never handed it on; its events are
   * already in PostgreSQL.
   */
  recovered?: boolean;
}

export interface SessionDeletion {
  sessionId: string;
  /** The state that was deleted. */
  last: ClockState;
  /** The version of the deletion event: the last version + 1. */
  version: number;
  now: number;
}

/**
 * A running clock reached the session's `low_time_ms` (contract section 9): no version of its
 * own, it carries the version that was current, whose `state` it was computed from.
 */
export interface LowTimeWarning {
  sessionId: string;
  version: number;
  crossing: LowTimeCrossing;
  state: ClockState;
}
