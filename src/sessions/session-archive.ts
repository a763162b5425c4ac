import { ClockState } from '@synckairos/clock';

/** Injection token of the optional long-term record of sessions (the audit trail). */
export const SESSION_ARCHIVE = Symbol('SESSION_ARCHIVE');

/** What the state path asks of the audit trail when Redis does not have a session. */
export interface SessionArchive {
  /** The newest snapshot of a session Redis has lost, when it should be brought back. */
  findRestorable(sessionId: string): Promise<ClockState | null>;
  /** Whether the id has a history already, so that a new session may not take it. */
  hasHistory(sessionId: string): Promise<boolean>;
}
