/**
 * Key layout. Every key of a session carries its id as a hash tag, so that a Redis Cluster
 * keeps all of them in one slot and one Lua script may touch them together.
 */
export const OUTBOX_SHARDS = 8;

export class SessionKeys {
  constructor(readonly prefix: string) {}

  session(sessionId: string): string {
    return `${this.prefix}:session:{${sessionId}}`;
  }

  /** The instances that have sockets watching the session (see WatcherRegistry). */
  watchers(sessionId: string): string {
    return `${this.prefix}:watchers:{${sessionId}}`;
  }

  /** Commits in the current second, for the per-session limit on switch (see skCompareAndSet). */
  commitRate(sessionId: string): string {
    return `${this.prefix}:rate:{${sessionId}}`;
  }

  /** Set once a low-time warning of this version was emitted (see LowTimeWarnings). */
  lowTime(sessionId: string, version: number): string {
    return `${this.prefix}:lowtime:{${sessionId}}:${version}`;
  }

  /** The first outcome of a command sent with an Idempotency-Key (see IdempotencyStore). */
  idempotency(sessionId: string, command: string, key: string): string {
    return `${this.prefix}:idem:{${sessionId}}:${command}:${key}`;
  }

  /** The session's committed versions not yet in PostgreSQL (see OutboxStore). */
  outbox(sessionId: string): string {
    return `${this.prefix}:outbox:{${sessionId}}`;
  }

  /** The versions written to PostgreSQL whose entries are not trimmed yet (skOutboxAck). */
  outboxWritten(sessionId: string): string {
    return `${this.prefix}:outbox-written:{${sessionId}}`;
  }

  /** The newest version handed on whose event waits in the outbox (skOutboxHandOff). */
  outboxHandOff(sessionId: string): string {
    return `${this.prefix}:outbox-handoff:{${sessionId}}`;
  }

  /**
   * The sessions with outbox entries, in OUTBOX_SHARDS sorted sets (a Cluster spreads them),
   * scored by the instant of their newest commit.
   */
  outboxIndex(shard: number): string {
    return `${this.prefix}:outbox-index:{${this.prefix}-oi-${shard}}`;
  }

  outboxShardOf(sessionId: string): number {
    let h = 0;
    for (let i = 0; i < sessionId.length; i++) h = (h * 31 + sessionId.charCodeAt(i)) | 0;
    return (h >>> 0) % OUTBOX_SHARDS;
  }

  /** The audit backlog's size as the consumers last measured it (see AuditBacklog). */
  backlog(): string {
    return `${this.prefix}:audit-backlog`;
  }

  /** Written once per Redis: its absence later says that Redis lost its data. */
  epoch(): string {
    return `${this.prefix}:epoch`;
  }

  /** BullMQ queue prefix: one hash tag, so a queue's keys share a slot. */
  queuePrefix(): string {
    return `{${this.prefix}}`;
  }
}
