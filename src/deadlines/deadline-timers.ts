import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { TimeSource } from '../common/time/time-source';

/**
 * This instance's timers, one per session it last changed: the precise, common path. They
 * are only an optimisation over the durable backstop, so losing them (a restart, another
 * instance taking over the session) loses nothing but promptness.
 */
@Injectable()
export class DeadlineTimers implements OnApplicationShutdown {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly time: TimeSource) {}

  /** Replaces the session's timer; `due` null just clears it. */
  schedule(sessionId: string, due: number | null, fire: (sessionId: string) => void): void {
    this.clear(sessionId);
    if (due === null) return;
    const wait = () => {
      const left = due - this.time.now();
      if (left > 0) {
        // Timers may wake a millisecond early on the wall clock: never settle before the instant.
        this.timers.set(sessionId, setTimeout(wait, left).unref());
        return;
      }
      this.timers.delete(sessionId);
      fire(sessionId);
    };
    this.timers.set(sessionId, setTimeout(wait, Math.max(0, due - this.time.now())).unref());
  }

  clear(sessionId: string): void {
    const timer = this.timers.get(sessionId);
    if (timer) clearTimeout(timer);
    this.timers.delete(sessionId);
  }

  get size(): number {
    return this.timers.size;
  }

  onApplicationShutdown(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
