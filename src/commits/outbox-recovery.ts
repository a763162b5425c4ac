import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { OutboxRelay } from '../audit/outbox-relay';
import { Env } from '../config/env.validation';
import { CommitPipeline } from './commit-pipeline';

/**
 * Relays the stale outbox entries every OUTBOX_RELAY_INTERVAL_MS on an audit worker
 * (AUDIT_WORKER), and hands each recovered change to the commit pipeline as soon as it is
 * recorded. On shutdown the pass in flight finishes before Redis and PostgreSQL close.
 */
@Injectable()
export class OutboxRecovery implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRecovery.name);
  private timer: NodeJS.Timeout | null = null;
  private pass: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly relay: OutboxRelay,
    private readonly pipeline: CommitPipeline,
    private readonly config: ConfigService<Env, true>,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.get('AUDIT_WORKER', { infer: true })) this.schedule();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.pass;
  }

  async recoverOnce(): Promise<void> {
    for await (const change of this.relay.relayOnce()) await this.pipeline.committed([change]);
  }

  /** One pass at a time, the next one an interval after it ended. */
  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(
      () => {
        this.pass = this.recoverOnce()
          .catch((err: Error) => this.logger.warn(`Outbox relay pass failed: ${err.message}`))
          .finally(() => this.schedule());
      },
      this.config.get('OUTBOX_RELAY_INTERVAL_MS', { infer: true }),
    );
  }
}
