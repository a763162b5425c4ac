import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { ClockState, toView } from '@synckairos/clock';
import { DomainError } from '../common/errors/domain-error';
import { TimeSource } from '../common/time/time-source';
import { SessionStore } from '../state/session-store';
import { SessionTtlPolicy } from '../state/session-ttl.policy';
import { SESSION_ARCHIVE, SessionArchive } from './session-archive';
import { SessionChangeFeed } from './session-change-feed';

/**
 * Finds a session for a command or a read. Redis answers first; when it has no trace of the
 * session (not even a tombstone), the archive may hold its newest snapshot, which is put back
 * with the same version so that the request goes on as if nothing had happened.
 */
@Injectable()
export class SessionLoader {
  private readonly logger = new Logger(SessionLoader.name);

  constructor(
    private readonly store: SessionStore,
    private readonly ttl: SessionTtlPolicy,
    private readonly time: TimeSource,
    private readonly feed: SessionChangeFeed,
    @Optional() @Inject(SESSION_ARCHIVE) private readonly archive: SessionArchive | null,
  ) {}

  async load(sessionId: string): Promise<ClockState> {
    const stored = await this.store.get(sessionId);
    if (stored.kind === 'live') return stored.state;
    if (stored.kind === 'missing' && this.archive) {
      const restored = await this.restore(sessionId, this.archive);
      if (restored) return restored;
    }
    throw DomainError.notFound(sessionId);
  }

  /** A new session may not take an id that Redis or the archive still knows. */
  async assertIdIsFree(sessionId: string): Promise<void> {
    if (this.archive && (await this.archive.hasHistory(sessionId))) {
      throw new DomainError('SESSION_EXISTS', `session ${sessionId} already exists`);
    }
  }

  private async restore(sessionId: string, archive: SessionArchive): Promise<ClockState | null> {
    const snapshot = await archive.findRestorable(sessionId);
    if (!snapshot) return null;
    const now = this.time.now();
    if (await this.store.create(snapshot, this.ttl.ttlMs(snapshot, now))) {
      this.logger.warn(
        `Session ${sessionId} was missing from Redis; restored version ${snapshot.version}`,
      );
      // No new version, so nothing to audit; a running clock needs its deadline armed again.
      const view = toView(snapshot, now);
      await this.feed.publish({
        sessionId,
        before: null,
        after: snapshot,
        steps: [],
        view,
        now,
        watched: false,
      });
      return snapshot;
    }
    const raced = await this.store.get(sessionId);
    return raced.kind === 'live' ? raced.state : null;
  }
}
