import { Injectable, Logger } from '@nestjs/common';
import { ClockState, Step, toView } from '@synckairos/clock';
import { DomainError } from '../common/errors/domain-error';
import { TimeSource } from '../common/time/time-source';
import { SessionChange } from '../state/session-change';
import { outboxOf, SessionStore } from '../state/session-store';
import { SessionTtlPolicy } from '../state/session-ttl.policy';
import { AuditArchive } from '../audit/audit-archive';
import { ArchivedDeletion, ArchivedSession } from '../state/session-archive';

/**
 * How far a restored session's versions jump past the newest recorded one: versions
 * acknowledged after it may have been lost with Redis, and their numbers are never reused.
 */
export const RESTORE_EPOCH_JUMP = 100_000;

/** A session as found; `restored` when it came back from the archive (a commit of its own). */
export interface Loaded {
  state: ClockState;
  restored?: SessionChange;
}

/**
 * Finds a session for a command or a read. Redis answers first; when it has no trace of the
 * session (not even a tombstone), the archive may hold its newest snapshot, which is put back
 * in a new epoch of versions (a `session_restored` version of its own), so that no version
 * that may have been acknowledged is ever reused with other content. The restore is a commit:
 * it is returned, for the caller to hand on with the command's own changes.
 */
@Injectable()
export class SessionLoader {
  private readonly logger = new Logger(SessionLoader.name);

  constructor(
    private readonly store: SessionStore,
    private readonly ttl: SessionTtlPolicy,
    private readonly time: TimeSource,
    private readonly archive: AuditArchive,
  ) {}

  async load(sessionId: string): Promise<Loaded> {
    const stored = await this.store.get(sessionId);
    if (stored.kind === 'live') return { state: stored.state };
    if (stored.kind === 'missing') {
      const restored = await this.restore(sessionId);
      if (restored) return restored;
    }
    throw DomainError.notFound(sessionId);
  }

  /** A new session may not take an id that Redis or the archive still knows. */
  async assertIdIsFree(sessionId: string): Promise<void> {
    if (await this.archive.hasHistory(sessionId)) {
      throw new DomainError('SESSION_EXISTS', `session ${sessionId} already exists`);
    }
  }

  /** The session if it lives (restored from the archive if Redis lost it), else null. */
  async find(sessionId: string): Promise<Loaded | null> {
    try {
      return await this.load(sessionId);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'SESSION_NOT_FOUND') return null;
      throw err;
    }
  }

  /** Makes a deletion durable first. */
  async recordDeletion(deletion: ArchivedDeletion): Promise<void> {
    await this.archive.recordDeletion(deletion);
  }

  private async restore(sessionId: string): Promise<Loaded | null> {
    const archived = await this.archive.findRestorable(sessionId);
    if (!archived) return null;
    const now = this.time.trustedNow();
    const step = restoredStep(archived, now);
    const state = step.state;
    const outbox = outboxOf(sessionId, [step], now, null);
    if (await this.store.create(state, this.ttl.ttlMs(state, now), [], outbox)) {
      this.logger.warn(
        `Session ${sessionId} was missing from Redis; restored version ${archived.state.version} ` +
          `as version ${state.version} (versions after ${archived.lastVersion} may be lost)`,
      );
      const restored = {
        sessionId,
        before: null,
        after: state,
        steps: [step],
        view: toView(state, now),
        now,
        watched: false,
      };
      return { state, restored };
    }
    const raced = await this.store.get(sessionId);
    return raced.kind === 'live' ? { state: raced.state } : null;
  }
}

/** The first version of the new epoch: the archived state, its clocks still running. */
export function restoredStep(archived: ArchivedSession, now: number): Step {
  const version = archived.lastVersion + RESTORE_EPOCH_JUMP;
  const state: ClockState = { ...archived.state, version };
  return {
    type: 'session_restored',
    version,
    at: now,
    participant_id: null,
    timeouts: [],
    state,
    details: {
      restored_from_version: archived.state.version,
      last_recorded_version: archived.lastVersion,
      // Versions after the last recorded one may have been acknowledged and then lost.
      possibly_lost_after_version: archived.lastVersion,
    },
  };
}
