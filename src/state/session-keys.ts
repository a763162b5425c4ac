/**
 * Key layout. Every key of a session carries its id as a hash tag, so that a Redis Cluster
 * keeps all of them in one slot and one Lua script may touch them together.
 */
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

  /** The first outcome of a command sent with an Idempotency-Key (see IdempotencyStore). */
  idempotency(sessionId: string, command: string, key: string): string {
    return `${this.prefix}:idem:{${sessionId}}:${command}:${key}`;
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
