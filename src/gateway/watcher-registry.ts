import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { REDIS_CLIENT } from '../state/redis.constants';
import { SessionKeys } from '../state/session-keys';

/** Leftovers of a crashed instance expire after this long; live entries are refreshed well before. */
const ENTRY_TTL_S = 24 * 3600;
const REFRESH_EVERY_MS = 10 * 60 * 1000;

/**
 * Which instances have sockets watching a session. The compare-and-set reads it in the same
 * atomic step as the write, so a change that nobody watches anywhere is not published (most
 * sessions driven by game servers alone have no watchers). A join registers before it reads
 * the snapshot, so no change can fall between the two. Entries are renewed periodically and
 * written again whenever Redis comes back (it may have come back empty).
 */
@Injectable()
export class WatcherRegistry implements OnApplicationShutdown {
  private readonly logger = new Logger(WatcherRegistry.name);
  readonly instanceId = randomUUID();
  private refresher: NodeJS.Timeout | null = null;
  private readonly onReady = () => void this.refresh();
  private localSessions: () => string[] = () => [];

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly keys: SessionKeys,
  ) {}

  /** The gateway hands in how to list the sessions watched on this instance. */
  track(localSessions: () => string[]): void {
    this.localSessions = localSessions;
    this.redis.on('ready', this.onReady);
    this.refresher = setInterval(this.onReady, REFRESH_EVERY_MS).unref();
  }

  async add(sessionId: string): Promise<void> {
    const key = this.keys.watchers(sessionId);
    await this.redis.multi().sadd(key, this.instanceId).expire(key, ENTRY_TTL_S).exec();
  }

  remove(sessionId: string): void {
    this.redis.srem(this.keys.watchers(sessionId), this.instanceId).catch((err: Error) => {
      this.logger.warn(`Could not unregister watchers of ${sessionId}: ${err.message}`);
    });
  }

  async refresh(): Promise<void> {
    const sessions = this.localSessions();
    try {
      for (const sessionId of sessions) await this.add(sessionId);
    } catch (err) {
      this.logger.warn(
        `Could not renew ${sessions.length} watched sessions: ${(err as Error).message}`,
      );
    }
  }

  onApplicationShutdown(): void {
    this.redis.off('ready', this.onReady);
    if (this.refresher) clearInterval(this.refresher);
  }
}
