import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import Redis from 'ioredis';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { TimeSource } from '../common/time/time-source';
import { Env } from '../config/env.validation';
import { REDIS_CLIENT } from '../state/redis.constants';

export const LIVE_FILE = 'synckairos-worker.live';
export const READY_FILE = 'synckairos-worker.ready';
const EVERY_MS = 5000;

/**
 * The worker process has no HTTP, so its probes are files: `.live` is touched while the event
 * loop turns, `.ready` only while Redis answers too and the clock is in step with Redis'.
 * Kubernetes and Compose check their age.
 */
@Injectable()
export class WorkerHeartbeat implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerHeartbeat.name);
  private readonly dir: string;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly time: TimeSource,
    config: ConfigService<Env, true>,
  ) {
    this.dir = config.get('WORKER_HEARTBEAT_DIR', { infer: true });
  }

  onApplicationBootstrap(): void {
    void this.beat();
    this.timer = setInterval(() => void this.beat(), EVERY_MS);
  }

  async beat(): Promise<void> {
    try {
      await touch(path.join(this.dir, LIVE_FILE));
      if (this.redis.status === 'ready' && this.time.status().trusted)
        await touch(path.join(this.dir, READY_FILE));
    } catch (err) {
      this.logger.warn(`Heartbeat not written: ${(err as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await fs.rm(path.join(this.dir, READY_FILE), { force: true });
  }
}

async function touch(file: string): Promise<void> {
  const now = new Date();
  await fs.utimes(file, now, now).catch(() => fs.writeFile(file, ''));
}
