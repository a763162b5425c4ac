import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Env } from '../config/env.validation';
import { startConsumer, stopConsumer } from '../queue/consumer';
import { AuditProcessor } from './audit.processor';
import { OutboxRelay } from './outbox-relay';

/**
 * Starts consuming audit jobs in this process, and relaying stale outbox entries, unless
 * AUDIT_WORKER=false. On shutdown the worker finishes its active jobs (and their batch) and
 * the relay its pass before PostgreSQL and Redis close, which happens in the later
 * onApplicationShutdown phase.
 */
@Injectable()
export class AuditWorkerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AuditWorkerLifecycle.name);

  private relayTimer: NodeJS.Timeout | null = null;
  private relayPass: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly processor: AuditProcessor,
    private readonly relay: OutboxRelay,
    private readonly config: ConfigService<Env, true>,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.get('AUDIT_WORKER', { infer: true })) {
      this.logger.log('AUDIT_WORKER=false: this instance only produces audit jobs');
      return;
    }
    startConsumer(
      this.processor.worker,
      this.config.get('AUDIT_CONCURRENCY', { infer: true }),
      this.logger,
    );
    this.scheduleRelay();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.relayTimer) clearTimeout(this.relayTimer);
    await this.relayPass;
    await stopConsumer(this.processor.worker, this.logger);
  }

  /** One pass at a time, the next one an interval after it ended. */
  private scheduleRelay(): void {
    if (this.stopped) return;
    this.relayTimer = setTimeout(
      () => {
        this.relayPass = this.relay
          .relayOnce()
          .catch((err: Error) => this.logger.warn(`Outbox relay pass failed: ${err.message}`))
          .finally(() => this.scheduleRelay());
      },
      this.config.get('OUTBOX_RELAY_INTERVAL_MS', { infer: true }),
    );
  }
}
