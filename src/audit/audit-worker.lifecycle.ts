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

/**
 * Starts consuming audit jobs in this process, unless AUDIT_WORKER=false. On shutdown the
 * worker finishes its active jobs (and their batch) before PostgreSQL and Redis close, which
 * happens in the later onApplicationShutdown phase.
 */
@Injectable()
export class AuditWorkerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AuditWorkerLifecycle.name);

  constructor(
    private readonly processor: AuditProcessor,
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
  }

  async beforeApplicationShutdown(): Promise<void> {
    await stopConsumer(this.processor.worker, this.logger);
  }
}
