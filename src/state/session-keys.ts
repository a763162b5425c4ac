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

  /** Set once a low-time warning of this version was emitted (see LowTimeWarnings). */
  lowTime(sessionId: string, version: number): string {
    return `${this.prefix}:lowtime:{${sessionId}}:${version}`;
  }

  /** BullMQ queue prefix: one hash tag, so a queue's keys share a slot. */
  queuePrefix(): string {
    return `{${this.prefix}}`;
  }
}
