import { ClockState } from '@synckairos/clock';

/** A session Redis has lost, as the archive last recorded it. */
export interface ArchivedSession {
  state: ClockState;
  /** The newest version recorded: a restore continues past it, in a new epoch. */
  lastVersion: number;
}

export interface ArchivedDeletion {
  sessionId: string;
  /** The state deleted, and the version the deletion takes. */
  last: ClockState;
  version: number;
  now: number;
}

/**
 * What the state path asks of the audit trail when Redis does not have a session. Every
 * method throws 503 UNAVAILABLE when the archive cannot answer: "not known" is never
 * guessed, since a wrong guess answers 404 for a session that exists, or reuses its id.
 */
export interface SessionArchive {
  /** The newest snapshot of a session Redis has lost, when it should be brought back. */
  findRestorable(sessionId: string): Promise<ArchivedSession | null>;
  /** Whether the id has a history already, so that a new session may not take it. */
  hasHistory(sessionId: string): Promise<boolean>;
  /** Records a deletion before it is acknowledged, so that a Redis loss cannot undo it. */
  recordDeletion(deletion: ArchivedDeletion): Promise<void>;
}
