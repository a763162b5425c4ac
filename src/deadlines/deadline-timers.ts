import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { TimeSource } from '../common/time/time-source';

/**
 * This instance's timers, one per session it last changed: the precise, common path. They
 * are only an optimisation over the durable backstop, so losing them (a restart, another
 * instance taking over the session) loses nothing but promptness. A timer that runs out is
 * read from `expired()` by the DeadlineRunner, which fires it.
 */
@Injectable()
export class DeadlineTimers implements OnApplicationShutdown {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly ranOut: string[] = [];
  private wake: (() => void) | null = null;
  private closed = false;

  constructor(private readonly time: TimeSource) {}

  /** Replaces the session's timer; `due` null just clears it. */
  schedule(sessionId: string, due: number | null): void {
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
      this.ranOut.push(sessionId);
      this.wake?.();
    };
    this.timers.set(sessionId, setTimeout(wait, Math.max(0, due - this.time.now())).unref());
  }

  clear(sessionId: string): void {
    const timer = this.timers.get(sessionId);
    if (timer) clearTimeout(timer);
    this.timers.delete(sessionId);
  }

  /** The sessions whose timer ran out, as they do, until shutdown. */
  async *expired(): AsyncGenerator<string> {
    while (!this.closed) {
      const sessionId = this.ranOut.shift();
      if (sessionId !== undefined) yield sessionId;
      else await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  get size(): number {
    return this.timers.size;
  }

  onApplicationShutdown(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.closed = true;
    this.wake?.();
  }
}
