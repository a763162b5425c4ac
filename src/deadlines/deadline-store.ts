import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { ChainableCommander } from 'ioredis';
import Redis from 'ioredis';
import { Env } from '../config/env.validation';
import { JobBatcher } from '../queue/job-batcher';
import { PRODUCER_REDIS_CLIENT } from '../state/redis.constants';
import { isCluster } from '../redis/redis-connections';
import { SessionKeys } from '../state/session-keys';
import { DEADLINE_POLL_REDIS_CLIENT } from './deadline.constants';
import { DeadlineCommands, defineDeadlineCommands } from './deadline-scripts';

/** What a per-shard command is given: the client itself, or a pipeline of it. */
type DeadlineTarget = Redis & DeadlineCommands;

/**
 * Fixed, so that every instance and version polls the same keys; enough to spread the entries
 * over the nodes of a Redis Cluster (each shard's keys are one slot).
 */
export const DEADLINE_SHARDS = 16;

/** A claimed entry comes back this long after its claim, unless the claimer replaced it. */
export const DEADLINE_LEASE_MS = 5000;

/** The shard of a session: FNV-1a of its id. */
export function shardOf(sessionId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < sessionId.length; i++) {
    hash ^= sessionId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % DEADLINE_SHARDS;
}

export interface Claimed {
  sessionIds: string[];
  /** Some shard had more due than it gave: look again at once. */
  more: boolean;
}

/**
 * The durable deadlines: one entry per session whose clock runs (a sorted set per shard, member
 * the session id, score its instant + DEADLINE_BACKSTOP_GRACE_MS), replaced on each change and
 * removed when no clock runs, so Redis holds one entry per running session whatever the number
 * of switches. A hash beside each set keeps the version the entry was armed for, so that of two
 * arms arriving out of order the newer wins. Arms go with the turn's jobs (JobBatcher): no
 * round trip of their own.
 */
@Injectable()
export class DeadlineStore {
  private readonly redis: Redis & DeadlineCommands;
  private readonly graceMs: number;

  constructor(
    // Arms go on the producer connection, with the turn's jobs (JobBatcher); the rest on its own.
    @Inject(PRODUCER_REDIS_CLIENT) producer: Redis,
    @Inject(DEADLINE_POLL_REDIS_CLIENT) redis: Redis,
    private readonly keys: SessionKeys,
    private readonly jobs: JobBatcher,
    config: ConfigService<Env, true>,
  ) {
    defineDeadlineCommands(producer);
    this.redis = defineDeadlineCommands(redis);
    this.graceMs = config.get('DEADLINE_BACKSTOP_GRACE_MS', { infer: true });
  }

  /** The session's entry for this version: at `due` + grace, or none when `due` is null. */
  async arm(sessionId: string, version: number, due: number | null): Promise<void> {
    await this.write(sessionId, String(version), due === null ? '' : String(due + this.graceMs));
  }

  /** Removes the entry whatever version armed it: the session is gone. */
  async remove(sessionId: string): Promise<void> {
    await this.write(sessionId, '', '');
  }

  /**
   * Takes up to about `limit` entries due by `now` (spread over the shards, one round trip) and
   * leases them for DEADLINE_LEASE_MS.
   */
  async claimDue(now: number, limit: number): Promise<Claimed> {
    const perShard = Math.max(1, Math.ceil(limit / DEADLINE_SHARDS));
    const replies = await this.eachShard((target, shard) =>
      target.skClaimDeadlines(this.dueKey(shard), now, perShard, now + DEADLINE_LEASE_MS),
    );
    const claimed: Claimed = { sessionIds: [], more: false };
    for (const [err, ids] of replies) {
      if (err) throw err;
      claimed.sessionIds.push(...(ids as string[]));
      if ((ids as string[]).length === perShard) claimed.more = true;
    }
    return claimed;
  }

  /** The number of entries: one per running session. */
  async size(): Promise<number> {
    const replies = await this.eachShard((target, shard) => target.zcard(this.dueKey(shard)));
    return replies.reduce((sum, [err, n]) => {
      if (err) throw err;
      return sum + (n as number);
    }, 0);
  }

  /** The session's entry: when it fires and the version that armed it. */
  async entryOf(sessionId: string): Promise<{ at: number; version: number | null } | null> {
    const shard = shardOf(sessionId);
    const [score, version] = await Promise.all([
      this.redis.zscore(this.dueKey(shard), sessionId),
      this.redis.hget(this.versionsKey(shard), sessionId),
    ]);
    if (score === null) return null;
    return { at: Number(score), version: version === null ? null : Number(version) };
  }

  /**
   * One command per shard, in one pipeline on a standalone Redis; on a cluster (the shards live
   * on different nodes, and a pipeline must not span nodes) sent together, so one round trip.
   */
  private async eachShard(
    ask: (target: DeadlineTarget, shard: number) => Promise<unknown>,
  ): Promise<[Error | null, unknown][]> {
    const shards = Array.from({ length: DEADLINE_SHARDS }, (_, shard) => shard);
    if (isCluster(this.redis)) {
      const settled = await Promise.allSettled(shards.map((shard) => ask(this.redis, shard)));
      return settled.map((r) =>
        r.status === 'fulfilled' ? [null, r.value] : [r.reason as Error, null],
      );
    }
    const pipeline = this.redis.pipeline() as ChainableCommander & DeadlineCommands;
    for (const shard of shards) void ask(pipeline as unknown as DeadlineTarget, shard);
    return (await pipeline.exec()) ?? [];
  }

  dueKey(shard: number): string {
    return `${this.keys.prefix}:deadlines:{${this.keys.prefix}:dl:${shard}}`;
  }

  versionsKey(shard: number): string {
    return `${this.keys.prefix}:deadline-versions:{${this.keys.prefix}:dl:${shard}}`;
  }

  private async write(sessionId: string, version: string, score: string): Promise<void> {
    const shard = shardOf(sessionId);
    const [due, versions] = [this.dueKey(shard), this.versionsKey(shard)];
    await this.jobs.run((producer) =>
      (producer as DeadlineTarget).skArmDeadline(due, versions, sessionId, version, score),
    );
  }
}
