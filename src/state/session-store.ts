import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import Redis, { ReplyError } from 'ioredis';
import { Counter } from 'prom-client';
import { ClockState } from '@synckairos/clock';
import { DomainError } from '../common/errors/domain-error';
import { METRICS } from '../metrics/metric-names';
import { REDIS_CLIENT } from './redis.constants';
import { SESSION_SCRIPTS } from './session-scripts';
import { SessionKeys } from './session-keys';

const TRANSIENT_REPLY = /^(LOADING|BUSY|OOM|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|NOREPLICAS)/;

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

interface SessionCommands {
  skCreate(key: string, version: number, state: string, ttlMs: number): Promise<number>;
  skCompareAndSet(
    key: string,
    watchersKey: string,
    rateKey: string,
    expected: number,
    version: number,
    state: string,
    ttlMs: number,
    commitsPerSecond: number,
    commits: number,
  ): Promise<[number, (string | number)?, number?]>;
  skDelete(key: string, ttlMs: number): Promise<string | null>;
  skUndelete(key: string, tombstoneVersion: number, state: string, ttlMs: number): Promise<number>;
}

/**
 * Redis is the only truth for live sessions. Reads are one HMGET; every write is one Lua
 * script that compares the version and writes in the same atomic step.
 */
@Injectable()
export class SessionStore {
  private readonly logger = new Logger(SessionStore.name);
  private readonly commands: SessionCommands;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly keys: SessionKeys,
    @InjectMetric(METRICS.redisErrors) private readonly errors: Counter<'client'>,
  ) {
    for (const [name, script] of Object.entries(SESSION_SCRIPTS)) {
      if (!(name in redis))
        redis.defineCommand(name, { numberOfKeys: script.numberOfKeys, lua: script.lua });
    }
    this.commands = redis as unknown as SessionCommands;
  }

  async get(sessionId: string): Promise<StoredSession> {
    const [state, deleted] = await this.guard(() =>
      this.redis.hmget(this.keys.session(sessionId), 's', 'd'),
    );
    if (state) return { kind: 'live', state: JSON.parse(state) as ClockState };
    return deleted ? { kind: 'deleted' } : { kind: 'missing' };
  }

  /** Writes a new session, or a recovered one; false when the id is taken (or a tombstone). */
  async create(state: ClockState, ttlMs: number): Promise<boolean> {
    const key = this.keys.session(state.session_id);
    const created = await this.guard(() =>
      this.commands.skCreate(key, state.version, JSON.stringify(state), ttlMs),
    );
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
  ): Promise<CasOutcome> {
    const id = next.session_id;
    const stored = JSON.stringify(next);
    const [code, current, room] = await this.guard(() =>
      this.commands.skCompareAndSet(
        this.keys.session(id),
        this.keys.watchers(id),
        this.keys.commitRate(id),
        expectedVersion,
        next.version,
        stored,
        ttlMs,
        commitsPerSecond,
        commits,
      ),
    );
    if (code === 1) return { ok: true, watched: current === 1, stored };
    if (code === -3) return { ok: false, retryAfterMs: Number(current), room: Number(room ?? 0) };
    if (code === -1 && typeof current === 'string') {
      return { ok: false, current: { kind: 'live', state: JSON.parse(current) as ClockState } };
    }
    return { ok: false, current: code === -2 ? { kind: 'deleted' } : { kind: 'missing' } };
  }

  /** Replaces the session with a tombstone; returns what was deleted, or null if nothing was. */
  async delete(sessionId: string, tombstoneTtlMs: number): Promise<ClockState | null> {
    const deleted = await this.guard(() =>
      this.commands.skDelete(this.keys.session(sessionId), tombstoneTtlMs),
    );
    return deleted ? (JSON.parse(deleted) as ClockState) : null;
  }

  /** Takes a deletion back (it could not be made durable); false when the key moved on. */
  async undelete(last: ClockState, ttlMs: number): Promise<boolean> {
    const key = this.keys.session(last.session_id);
    const done = await this.guard(() =>
      this.commands.skUndelete(key, last.version + 1, JSON.stringify(last), ttlMs),
    );
    return done === 1;
  }

  /**
   * A Redis that cannot be reached (or is loading, read-only, out of memory) becomes 503
   * UNAVAILABLE at once, so a request never hangs; any other error is a bug and stays one.
   */
  private async guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof ReplyError && !TRANSIENT_REPLY.test((err as Error).message)) throw err;
      this.errors.inc({ client: 'state' });
      this.logger.warn(`Redis call failed: ${(err as Error).message}`);
      throw new DomainError('UNAVAILABLE', 'session store is unavailable, try again shortly');
    }
  }
}
