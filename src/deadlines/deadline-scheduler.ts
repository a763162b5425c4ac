import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { Counter } from 'prom-client';
import { ClockState, wakeUpOf } from '@synckairos/clock';
import { TimeSource } from '../common/time/time-source';
import { Env } from '../config/env.validation';
import { METRICS } from '../metrics/metric-names';
import { SessionChange, SessionChangeListener, SessionDeletion } from '../sessions/session-change';
import { SessionChangeFeed } from '../sessions/session-change-feed';
import { JobBatcher } from '../queue/job-batcher';
import { PRODUCER_REDIS_CLIENT } from '../state/redis.constants';
import { SessionKeys } from '../state/session-keys';
import {
  DEADLINE_JOB,
  DEADLINES_QUEUE,
  DeadlineJobData,
  deadlineJobId,
} from './deadline.constants';
import { ArmRequest, DeadlineRunner } from './deadline-runner';
import { DeadlineTimers } from './deadline-timers';

/**
 * Arms a deadline whenever a change leaves a clock running or a start scheduled: a timer on
 * this instance at the exact instant (the precise path), and a durable BullMQ delayed job
 * shortly after it (the backstop that fires on any instance, even if this one died). The
 * instant is the clock's `wakeUpOf`: the flag, a scheduled start or a low-time warning.
 *
 * A durable job is added only when no earlier one covers the new instant: if the state this
 * change replaced was running with a deadline no later than the new one, its job is still
 * pending and fires first, and a backstop that fires with nothing due arms the next one
 * (DeadlineRunner). So a switch that moves the deadline later (most of them) costs no Redis
 * work at all, and every running clock always has a durable job due by its instant + grace.
 * Of the changes of commands that committed together, only the last was stored: the others
 * arm nothing.
 */
@Injectable()
export class DeadlineScheduler
  implements SessionChangeListener, OnModuleInit, OnApplicationShutdown
{
  private readonly logger = new Logger(DeadlineScheduler.name);
  private readonly queue: Queue<DeadlineJobData>;
  private readonly graceMs: number;

  constructor(
    @Inject(PRODUCER_REDIS_CLIENT) redis: Redis,
    keys: SessionKeys,
    private readonly feed: SessionChangeFeed,
    private readonly timers: DeadlineTimers,
    private readonly runner: DeadlineRunner,
    private readonly time: TimeSource,
    private readonly jobs: JobBatcher,
    config: ConfigService<Env, true>,
    @InjectMetric(METRICS.deadlineArmFailures) private readonly armFailures: Counter,
  ) {
    this.queue = new Queue<DeadlineJobData>(DEADLINES_QUEUE, {
      connection: redis,
      prefix: keys.queuePrefix(),
    });
    this.graceMs = config.get('DEADLINE_BACKSTOP_GRACE_MS', { infer: true });
  }

  onModuleInit(): void {
    this.feed.subscribe(this);
    this.runner.onArmNeeded((state, request) => this.rearm(state, request));
  }

  /** After the HTTP drain, so that in-flight requests can still enqueue. */
  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }

  async onChange(change: SessionChange): Promise<void> {
    if (change.superseded) return;
    const due = wakeUpOf(change.after);
    this.armTimer(change.sessionId, due);
    if (due === null) return;
    // Once a warning of `before` was due, the job pending for it is the one for what follows.
    const covering = change.before ? wakeUpOf(change.before, change.now) : null;
    if (covering !== null && covering <= due) return;
    await this.armDurable(change.after);
  }

  onDelete(deletion: SessionDeletion): void {
    this.timers.clear(deletion.sessionId);
  }

  /** After a firing (DeadlineRunner): the timer, or the durable job, for what comes next. */
  private async rearm(state: ClockState, request: ArmRequest): Promise<void> {
    if (!request.durable) this.armTimer(state.session_id, wakeUpOf(state, request.handledUntil));
    else await this.armDurable(state, request.handledUntil);
  }

  private armTimer(sessionId: string, due: number | null): void {
    this.timers.schedule(sessionId, due, (id) => void this.runner.fire(id, 'timer'));
  }

  /**
   * Adds the durable job for this state's next wake-up (a low-time warning at or before
   * `handledUntil` excluded); the same version and instant twice is a no-op.
   */
  async armDurable(state: ClockState, handledUntil?: number): Promise<void> {
    const due = wakeUpOf(state, handledUntil);
    if (due === null) return;
    const data: DeadlineJobData = {
      session_id: state.session_id,
      version: state.version,
      due_ms: due,
    };
    try {
      await this.jobs.add({
        queue: this.queue,
        name: DEADLINE_JOB,
        data,
        opts: {
          jobId: deadlineJobId(state.session_id, state.version, due),
          delay: Math.max(0, due + this.graceMs - this.time.now()),
          attempts: 10,
          backoff: { type: 'exponential', delay: 500 },
          removeOnComplete: true,
          removeOnFail: { count: 1000 },
        },
      });
    } catch (err) {
      this.armFailures.inc();
      this.logger.error(
        `Deadline of ${state.session_id} v${state.version} not armed: ${(err as Error).message}`,
      );
    }
  }
}
