import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Env } from '../config/env.validation';
import { startConsumer, stopConsumer } from '../queue/consumer';
import { DeadlineProcessor } from './deadline.processor';

/** Starts consuming durable deadlines in this process, unless DEADLINE_WORKER=false. */
@Injectable()
export class DeadlineWorkerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DeadlineWorkerLifecycle.name);

  constructor(
    private readonly processor: DeadlineProcessor,
    private readonly config: ConfigService<Env, true>,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.get('DEADLINE_WORKER', { infer: true })) return;
    startConsumer(
      this.processor.worker,
      this.config.get('DEADLINE_CONCURRENCY', { infer: true }),
      this.logger,
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    await stopConsumer(this.processor.worker, this.logger);
  }
}
