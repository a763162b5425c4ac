import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Env } from '../config/env.validation';
import { startConsumer, stopConsumer } from '../queue/consumer';
import { AuditReaper } from './audit-reaper';
import { AuditProcessor } from './audit.processor';

/**
 * Starts consuming audit jobs in this process and reaping the failed jobs every
 * AUDIT_REAPER_INTERVAL_MS, unless AUDIT_WORKER=false (the outbox relay is OutboxRecovery's).
 * On shutdown the worker finishes its active jobs (and their batch) and the reaper its pass
 * before PostgreSQL and Redis close, which happens in the later onApplicationShutdown phase.
 */
@Injectable()
export class AuditWorkerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AuditWorkerLifecycle.name);
  private reaping: NodeJS.Timeout | null = null;
  private pass: Promise<unknown> | null = null;

  constructor(
    private readonly processor: AuditProcessor,
    private readonly reaper: AuditReaper,
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
    const every = this.config.get('AUDIT_REAPER_INTERVAL_MS', { infer: true });
    this.reaping = setInterval(() => this.reap(), every).unref();
    this.reap();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.reaping) clearInterval(this.reaping);
    await this.pass;
    await stopConsumer(this.processor.worker, this.logger);
  }

  /** One pass at a time (one that waits for Redis skips the next); a failed one is tried again. */
  private reap(): void {
    if (this.pass) return;
    this.pass = this.reaper
      .reap()
      .catch((err: Error) => this.logger.warn(`Audit reaper pass failed: ${err.message}`))
      .finally(() => (this.pass = null));
  }
}
