import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TimeSource } from '../common/time/time-source';
import { Env } from '../config/env.validation';
import { DeadlineRunner } from './deadline-runner';
import { DeadlineStore } from '../deadlines/deadline-store';

/** A look that left entries due comes again this soon (a beat for the fires in flight). */
const AGAIN_MS = 10;

/**
 * Fires the durable deadlines that came due, on every process with DEADLINE_WORKER (any may:
 * a claim is atomic and leased, see DeadlineStore). Each look claims at most the free room
 * under DEADLINE_CONCURRENCY, so the fires in flight stay bounded; a look that found more
 * comes again at once, otherwise after DEADLINE_POLL_MS. A fire that fails leaves its entry
 * leased: it comes back when the lease ends.
 */
@Injectable()
export class DeadlinePoller implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DeadlinePoller.name);
  private readonly concurrency: number;
  private readonly intervalMs: number;
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private running = false;
  private failing = false;

  constructor(
    private readonly store: DeadlineStore,
    private readonly runner: DeadlineRunner,
    private readonly time: TimeSource,
    private readonly config: ConfigService<Env, true>,
  ) {
    this.concurrency = config.get('DEADLINE_CONCURRENCY', { infer: true });
    this.intervalMs = config.get('DEADLINE_POLL_MS', { infer: true });
  }

  onApplicationBootstrap(): void {
    if (!this.config.get('DEADLINE_WORKER', { infer: true })) return;
    this.running = true;
    this.next(0);
  }

  /** Stops looking, then lets the fires in flight finish (they release or replace entries). */
  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.ticking;
    await Promise.allSettled([...this.inFlight]);
  }

  /** One look: claims what is due and room allows, and starts firing it. */
  async poll(): Promise<{ claimed: number; more: boolean }> {
    const room = this.concurrency - this.inFlight.size;
    if (room <= 0) return { claimed: 0, more: true };
    const { sessionIds, more } = await this.store.claimDue(this.time.now(), room);
    for (const id of sessionIds) this.start(id);
    return { claimed: sessionIds.length, more };
  }

  private start(sessionId: string): void {
    const fired = this.runner.fire(sessionId, 'store').catch((err: Error) => {
      this.logger.warn(`Deadline of ${sessionId} failed, it comes back: ${err.message}`);
    });
    this.inFlight.add(fired);
    void fired.finally(() => {
      this.inFlight.delete(fired);
    });
  }

  private next(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick().finally(() => (this.ticking = null));
    }, delayMs).unref();
  }

  private async tick(): Promise<void> {
    let again = false;
    try {
      again = (await this.poll()).more;
      if (this.failing) this.logger.log('Durable deadlines are polled again');
      this.failing = false;
    } catch (err) {
      // Once per outage: every look fails alike while Redis is away.
      if (!this.failing)
        this.logger.warn(`Durable deadlines cannot be polled: ${(err as Error).message}`);
      this.failing = true;
    }
    this.next(again ? AGAIN_MS : this.intervalMs);
  }
}
