import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ClockState } from '../clock/clock.types';
import { Env } from '../config/env.validation';

/**
 * The last state this instance saw of recently used sessions: a guess, never the truth.
 * A command starts from it and goes straight to the compare-and-set, which is what checks
 * it: a stale guess fails the CAS, which returns the newer state, and the command is applied
 * again. That saves the read round trip whenever the same instance serves a session's
 * commands. Reads never use it. Least recently used entries go first.
 */
@Injectable()
export class SessionCache {
  private readonly entries = new Map<string, ClockState>();
  private readonly capacity: number;

  constructor(config: ConfigService<Env, true>) {
    this.capacity = config.get('SESSION_CACHE_SIZE', { infer: true });
  }

  get(sessionId: string): ClockState | undefined {
    const state = this.entries.get(sessionId);
    if (state === undefined) return undefined;
    this.entries.delete(sessionId);
    this.entries.set(sessionId, state);
    return state;
  }

  set(state: ClockState): void {
    if (this.capacity === 0) return;
    this.entries.delete(state.session_id);
    this.entries.set(state.session_id, state);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  delete(sessionId: string): void {
    this.entries.delete(sessionId);
  }
}
