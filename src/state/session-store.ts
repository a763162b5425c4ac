import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import Redis, { Cluster, ReplyError } from 'ioredis';
import { Counter } from 'prom-client';
import { ClockState, Step } from '@synckairos/clock';
import { DomainError } from '../common/errors/domain-error';
import { withTimeout } from '../common/time/with-timeout';
import { Env } from '../config/env.validation';
import { METRICS } from '../metrics/metric-names';
import { REDIS_TOPOLOGY, RedisTopology, WaitPolicy } from '../redis/redis-topology';
import { REDIS_CLIENT } from './redis.constants';
import { SESSION_SCRIPTS } from './session-scripts';
import {
  eventOfStep,
  outboxEntryOf,
  RebuiltOutbox,
  rebuildOutbox,
  reverseDelta,
} from './outbox-entry';
import { SessionKeys } from './session-keys';

/** MOVED/ASK: a cluster's slot moved (a failover) and ioredis could not follow it in time. */
const TRANSIENT_REPLY =
  /^(LOADING|BUSY|OOM|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|NOREPLICAS|MOVED|ASK)/;
/** ioredis refused to send the command at all (no connection, no offline queue). */
const NOT_SENT = /enableOfflineQueue|Connection is closed|Stream isn't writeable/;

/** A write either happened or not for sure (false), or may have (true). */
type Write = boolean;

export type StoredSession =
  { kind: 'live'; state: ClockState } | { kind: 'deleted' } | { kind: 'missing' };

/**
 * `watched`: some instance has sockets in the session's room, so the change is worth a push.
 * `stored`: the state as written, JSON text (the audit trail records it as it is).
 * `retryAfterMs`: the session is over its commit limit for this second (`room`: the commits
 * it still allows in it).
 */
export type CasOutcome =
  | { ok: true; watched: boolean; stored: string }
  | { ok: false; current: StoredSession }
  | { ok: false; retryAfterMs: number; room: number };

/** An idempotency record written in the same atomic step as the state it answers for. */
export interface IdempotencyRecord {
  key: string;
  value: string;
}

/**
 * What a write appends to the session's outbox: one entry per version (outboxEntryOf), and the
 * instant `t` it files the session under in the outbox index.
 */
export interface OutboxWrite {
  entries: string[];
  t: number;
}

const NO_OUTBOX: OutboxWrite = { entries: [], t: 0 };

/**
 * The outbox of a write: every step's event, with the reverse delta to the state before it
 * (`before` for the first: the state this write replaces, null for a create).
 */
export function outboxOf(
  sessionId: string,
  steps: Step[],
  t: number,
  before: ClockState | null,
): OutboxWrite {
  return {
    entries: steps.map((step, i) =>
      outboxEntryOf(
        eventOfStep(sessionId, step, ''),
        t,
        reverseDelta(step.state, i === 0 ? before : steps[i - 1].state),
      ),
    ),
    t,
  };
}

/** How long a command's first outcome is kept for its retries (contract: 24 h). */
export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;

/** Scripts without a fixed key count take it as their first argument. */
type Dynamic = (numKeys: number, ...args: (string | number)[]) => Promise<unknown>;

interface SessionCommands {
  skCreate: Dynamic;
  skCompareAndSet: Dynamic;
  skIdemClaim(key: string, marker: string, ttlMs: number): Promise<string | null>;
  skOutboxAck(
    key: string,
    written: string,
    handOff: string,
    ...versions: number[]
  ): Promise<[number, number]>;
  skOutboxHandOff(key: string, handOff: string, version: number): Promise<number>;
  skOutboxRead(
    session: string,
    outbox: string,
    handOff: string,
  ): Promise<[string[], string | null, string | null]>;
  skOutboxUnindex(key: string, sessionId: string, before: number): Promise<number>;
  skOutboxClaim(
    key: string,
    staleBefore: number,
    leaseUntil: number,
    max: number,
  ): Promise<string[]>;
  skIdemRelease(key: string, marker: string): Promise<number>;
  skDelete(key: string, outbox: string, ttlMs: number, now: number): Promise<string | null>;
  skUndelete(key: string, tombstoneVersion: number, state: string, ttlMs: number): Promise<number>;
}

/**
 * Redis is the only truth for live sessions. Reads are one HMGET; every write is one Lua
 * script that compares the version and writes in the same atomic step.
 */
@Injectable()
export class SessionStore implements OnApplicationBootstrap {
  private readonly logger = new Logger(SessionStore.name);
  private readonly commands: SessionCommands;
  private readonly timeoutMs: number;
  /** How far a writer's instant may be from Redis' time (see the scripts' `plausible`). */
  private readonly aheadMs: number;
  private readonly behindMs: number;
  private wait: WaitPolicy;
  private readonly onCluster: boolean;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(REDIS_TOPOLOGY) topology: RedisTopology,
    private readonly keys: SessionKeys,
    @InjectMetric(METRICS.redisErrors) private readonly errors: Counter<'client'>,
    config: ConfigService<Env, true>,
  ) {
    this.timeoutMs = config.get('REDIS_COMMAND_TIMEOUT_MS', { infer: true });
    const skew = config.get('MAX_CLOCK_SKEW_MS', { infer: true });
    this.aheadMs = skew;
    this.behindMs = skew + this.timeoutMs;
    this.wait = { ...topology.wait };
    this.onCluster = topology.kind === 'cluster';
    for (const [name, script] of Object.entries(SESSION_SCRIPTS)) {
      if (!(name in redis))
        redis.defineCommand(name, {
          numberOfKeys: 'numberOfKeys' in script ? script.numberOfKeys : undefined,
          lua: script.lua,
        });
    }
    this.commands = redis as unknown as SessionCommands;
  }

  /**
   * REDIS_WAIT_REPLICAS=auto: wait for one replica only when the Redis has replicas (a Cluster
   * or primary run without any would otherwise answer every write 503). Unknown stays 1: safe.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.wait.auto) return;
    try {
      const replicas = this.onCluster
        ? ((await (this.redis as unknown as Cluster).cluster('NODES')) as string)
            .split('\n')
            .filter((line) => /\b(slave|replica)\b/.test(line.split(' ')[2] ?? '')).length
        : Number(/connected_slaves:(\d+)/.exec(await this.redis.info('replication'))?.[1] ?? 0);
      this.wait.replicas = replicas > 0 ? 1 : 0;
      if (replicas === 0)
        this.logger.warn('Redis has no replicas: writes are acknowledged without WAIT');
    } catch (err) {
      this.logger.warn(`Replicas not known (${(err as Error).message}): writes WAIT for one`);
    }
  }

  async get(sessionId: string): Promise<StoredSession> {
    const [state, deleted] = await this.guard(() =>
      this.redis.hmget(this.keys.session(sessionId), 's', 'd'),
    );
    if (state) return { kind: 'live', state: JSON.parse(state) as ClockState };
    return deleted ? { kind: 'deleted' } : { kind: 'missing' };
  }

  /** Writes a new session, or a recovered one; false when the id is taken (or a tombstone). */
  async create(
    state: ClockState,
    ttlMs: number,
    records: IdempotencyRecord[] = [],
    outbox: OutboxWrite = NO_OUTBOX,
    now = outbox.t || Date.now(),
  ): Promise<boolean> {
    const id = state.session_id;
    const created = await this.guard(
      () =>
        this.indexed(id, outbox, () =>
          this.replicated(
            'skCreate',
            this.writeArgs(
              [this.keys.session(id), this.keys.outbox(id)],
              [state.version, JSON.stringify(state), ttlMs],
              { records, outbox, now },
            ),
            (reply) => reply === 1,
          ),
        ),
      true,
    );
    if (Array.isArray(created)) throw this.implausible(Number(created[1]), now);
    return created === 1;
  }

  /**
   * Writes `next` if the stored version is still `expectedVersion`, and, when
   * `commitsPerSecond` is above 0, if the session's commits this second leave room for the
   * `commits` this write counts for.
   */
  async compareAndSet(
    expectedVersion: number,
    next: ClockState,
    ttlMs: number,
    commitsPerSecond = 0,
    commits = 1,
    records: IdempotencyRecord[] = [],
    outbox: OutboxWrite = NO_OUTBOX,
    now = outbox.t || Date.now(),
  ): Promise<CasOutcome> {
    const id = next.session_id;
    const stored = JSON.stringify(next);
    const [code, current, room] = (await this.guard(
      () =>
        this.indexed(id, outbox, () =>
          this.replicated(
            'skCompareAndSet',
            this.writeArgs(
              [
                this.keys.session(id),
                this.keys.watchers(id),
                this.keys.commitRate(id),
                this.keys.outbox(id),
              ],
              [expectedVersion, next.version, stored, ttlMs, commitsPerSecond, commits],
              { records, outbox, now },
            ),
            (reply) => Array.isArray(reply) && reply[0] === 1,
          ),
        ),
      true,
    )) as [number, (string | number)?, number?];
    if (code === 1) return { ok: true, watched: current === 1, stored };
    if (code === -4) throw this.implausible(Number(current), now);
    if (code === -3) return { ok: false, retryAfterMs: Number(current), room: Number(room ?? 0) };
    if (code === -1 && typeof current === 'string') {
      return { ok: false, current: { kind: 'live', state: JSON.parse(current) as ClockState } };
    }
    return { ok: false, current: code === -2 ? { kind: 'deleted' } : { kind: 'missing' } };
  }

  /** Replaces the session with a tombstone; returns what was deleted, or null if nothing was. */
  async delete(sessionId: string, tombstoneTtlMs: number): Promise<ClockState | null> {
    const deleted = await this.guard(
      async () =>
        (await this.replicated(
          'skDelete',
          [this.keys.session(sessionId), this.keys.outbox(sessionId), tombstoneTtlMs, Date.now()],
          (reply) => reply !== null,
        )) as string | null,
      true,
    );
    return deleted ? (JSON.parse(deleted) as ClockState) : null;
  }

  /**
   * The arguments of a write script: its keys and the idempotency records' keys, its own
   * arguments, then the tail both scripts share (records' TTL, the writer's instant and its
   * bounds, the outbox entries, the records' values).
   */
  private writeArgs(
    keys: string[],
    args: (string | number)[],
    tail: { records: IdempotencyRecord[]; outbox: OutboxWrite; now: number },
  ): [number, ...(string | number)[]] {
    const { records, outbox, now } = tail;
    return [
      keys.length + records.length,
      ...keys,
      ...records.map((r) => r.key),
      ...args,
      IDEMPOTENCY_TTL_MS,
      now,
      this.aheadMs,
      this.behindMs,
      outbox.entries.length,
      ...outbox.entries,
      ...records.map((r) => r.value),
    ];
  }

  private implausible(redisNow: number, now: number): DomainError {
    this.logger.error(
      `Write refused: this instance's time ${now} is ${now - redisNow} ms off Redis' time`,
    );
    return new DomainError(
      'UNAVAILABLE',
      "this instance's clock is out of step with the session store; try again",
    );
  }

  /**
   * Files the session in the outbox index, sent in the same pipeline as the write and just
   * before it (no round trip of its own), so that a relay finds entries whose writer died.
   */
  private async indexed<T>(id: string, outbox: OutboxWrite, write: () => Promise<T>): Promise<T> {
    if (outbox.entries.length === 0) return write();
    const index = this.keys.outboxIndex(this.keys.outboxShardOf(id));
    const filed = this.redis.zadd(index, outbox.t, id).catch((err: Error) => {
      // The write decides; its entries are still acked on the normal path.
      this.logger.warn(`Outbox index of ${id} not updated: ${err.message}`);
    });
    const [, result] = await Promise.all([filed, write()]);
    return result;
  }

  /**
   * Marks these versions written to PostgreSQL and drops the outbox entries that are, from the
   * oldest on; unindexes an emptied outbox.
   */
  async ackOutbox(sessionId: string, versions: number[]): Promise<void> {
    const [left, newest] = await this.guard(() =>
      this.commands.skOutboxAck(
        this.keys.outbox(sessionId),
        this.keys.outboxWritten(sessionId),
        this.keys.outboxHandOff(sessionId),
        ...versions,
      ),
    );
    if (left > 0 || newest === 0) return;
    await this.unindexOutbox(sessionId, newest);
  }

  /**
   * The versions up to `version` were handed on (pushed, armed, delivered) and their events
   * wait in the outbox: the relay writes them without handing them on again.
   */
  async handOffOutbox(sessionId: string, version: number): Promise<void> {
    await this.guard(() =>
      this.commands.skOutboxHandOff(
        this.keys.outbox(sessionId),
        this.keys.outboxHandOff(sessionId),
        version,
      ),
    );
  }

  /** Takes the session out of the outbox index unless a commit filed it after `before`. */
  async unindexOutbox(sessionId: string, before: number): Promise<void> {
    const index = this.keys.outboxIndex(this.keys.outboxShardOf(sessionId));
    await this.guard(() => this.commands.skOutboxUnindex(index, sessionId, before));
  }

  /** The sessions of one index shard whose outbox is older than `staleBefore`, leased. */
  claimStaleOutboxes(
    shard: number,
    staleBefore: number,
    leaseUntil: number,
    max: number,
  ): Promise<string[]> {
    return this.guard(() =>
      this.commands.skOutboxClaim(this.keys.outboxIndex(shard), staleBefore, leaseUntil, max),
    );
  }

  /** A session's outbox, its events' states rebuilt, and the newest version handed on (0: none). */
  async readOutbox(sessionId: string): Promise<RebuiltOutbox & { handedOff: number }> {
    const [lines, stored, mark] = await this.guard(() =>
      this.commands.skOutboxRead(
        this.keys.session(sessionId),
        this.keys.outbox(sessionId),
        this.keys.outboxHandOff(sessionId),
      ),
    );
    return { ...rebuildOutbox(lines, stored), handedOff: Number(mark ?? 0) };
  }

  /** Sessions with unwritten entries, and the oldest instant among them per shard. */
  async outboxBacklog(shard: number): Promise<{ sessions: number; oldest: number | null }> {
    const index = this.keys.outboxIndex(shard);
    const [count, oldest] = await this.guard(() =>
      Promise.all([this.redis.zcard(index), this.redis.zrange(index, 0, 0, 'WITHSCORES')]),
    );
    return { sessions: count, oldest: oldest.length === 2 ? Number(oldest[1]) : null };
  }

  /**
   * Claims an idempotency key for a command about to run (`marker`, kept `ttlMs`): null when
   * claimed, else what the key holds (another claim's marker, or the first outcome).
   */
  async claimIdempotency(key: string, marker: string, ttlMs: number): Promise<string | null> {
    return this.guard(() => this.commands.skIdemClaim(key, marker, ttlMs));
  }

  /** Saves an outcome that changed nothing (a refusal, a no-op) for the key's retries. */
  async saveIdempotency(records: IdempotencyRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.guard(() =>
      Promise.all(records.map((r) => this.redis.set(r.key, r.value, 'PX', IDEMPOTENCY_TTL_MS))),
    );
  }

  /** Lets go of our claim when no outcome was decided (a 503): a retry runs the command. */
  async releaseIdempotency(key: string, marker: string): Promise<void> {
    await this.guard(() => this.commands.skIdemRelease(key, marker));
  }

  /** Takes a deletion back (it could not be made durable); false when the key moved on. */
  async undelete(last: ClockState, ttlMs: number): Promise<boolean> {
    const key = this.keys.session(last.session_id);
    const done = await this.guard(
      () =>
        this.replicated(
          'skUndelete',
          [key, last.version + 1, JSON.stringify(last), ttlMs],
          (reply) => reply === 1,
        ),
      true,
    );
    return done === 1;
  }

  /**
   * Runs a write script and, when the topology asks for replicas, WAIT right behind it in one
   * pipeline: no extra round trip, and on a Cluster the same master, since ioredis sends a
   * pipeline to the node of its keys' slot and WAIT has none. A write that changed something
   * (`wrote`) but reached fewer replicas than asked may be lost in a failover: OUTCOME_UNKNOWN.
   */
  private async replicated(
    script: 'skCreate' | 'skCompareAndSet' | 'skDelete' | 'skUndelete',
    args: (string | number)[],
    wrote: (reply: unknown) => boolean,
  ): Promise<unknown> {
    if (this.wait.replicas === 0)
      return (this.commands as unknown as Record<string, Dynamic>)[script](
        ...(args as [number, ...(string | number)[]]),
      );
    const pipeline = this.redis.pipeline();
    (pipeline as unknown as Record<string, (...args: (string | number)[]) => unknown>)[script](
      ...args,
    );
    pipeline.wait(this.wait.replicas, this.wait.timeoutMs);
    const [[writeError, reply], [waitError, acked]] = (await pipeline.exec()) ?? [[null], [null]];
    if (writeError) throw writeError;
    if (!wrote(reply)) return reply;
    if (waitError || typeof acked !== 'number' || acked < this.wait.replicas) {
      this.errors.inc({ client: 'state' });
      this.logger.warn(
        `${script}: ${waitError ? waitError.message : `${String(acked)} of ${this.wait.replicas} replicas`} within ${this.wait.timeoutMs} ms`,
      );
      throw new DomainError(
        'OUTCOME_UNKNOWN',
        'the change is not yet on a replica of the session store: it may or may not survive a failover; retry with the same Idempotency-Key',
      );
    }
    return reply;
  }

  /**
   * A Redis that cannot be reached (or is loading, read-only, out of memory) becomes 503
   * UNAVAILABLE at once, and one that does not answer within the command timeout (which
   * ioredis alone does not keep for auto-pipelined commands) the same; a write that may have
   * been sent is 503 OUTCOME_UNKNOWN instead, so that the client retries with its
   * Idempotency-Key. Any other error is a bug and stays one.
   */
  private async guard<T>(call: () => Promise<T>, write: Write = false): Promise<T> {
    try {
      return await withTimeout(call(), this.timeoutMs);
    } catch (err) {
      if (err instanceof DomainError) throw err;
      const message = (err as Error).message;
      if (err instanceof ReplyError && !TRANSIENT_REPLY.test(message)) throw err;
      this.errors.inc({ client: 'state' });
      this.logger.warn(`Redis call failed: ${message}`);
      if (write && !(err instanceof ReplyError) && !NOT_SENT.test(message)) {
        throw new DomainError(
          'OUTCOME_UNKNOWN',
          'the session store did not answer in time: the command may or may not have been applied; retry with the same Idempotency-Key',
        );
      }
      throw new DomainError('UNAVAILABLE', 'session store is unavailable, try again shortly');
    }
  }
}
