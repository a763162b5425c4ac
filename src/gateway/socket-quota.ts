import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DomainError } from '../common/errors/domain-error';
import { Env } from '../config/env.validation';

/** A token bucket: `capacity` at once, refilled at `perSecond`. O(1) per take. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  take(now: number): boolean {
    const refill = ((now - this.last) * this.perSecond) / 1000;
    this.tokens = Math.min(this.capacity, this.tokens + Math.max(0, refill));
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** One socket's quotas, kept on the socket (in this process: it lives as long as the socket). */
export interface SocketQuotaState {
  events: TokenBucket;
  syncs: TokenBucket;
  commands: TokenBucket;
  joins: TokenBucket;
  /** Events refused since the last one let through. */
  refusedInRow: number;
}

export type Admission = { ok: true } | { ok: false; error: DomainError; drop: boolean };

const JOIN_WINDOW_S = 10;

/**
 * What one socket may send, counted in process, so that a flood costs neither Redis nor the
 * REST traffic: every event (SOCKET_MAX_EVENTS_PER_S), and within that `time:sync`
 * (SOCKET_MAX_SYNCS_PER_S), `session:switch` (SOCKET_MAX_COMMANDS_PER_S), joins
 * (SOCKET_MAX_JOINS_PER_10S) and rooms watched (SOCKET_MAX_ROOMS). A refused event is answered
 * RATE_LIMITED; a socket that goes on sending twice its event budget without a pause is dropped.
 */
@Injectable()
export class SocketQuota {
  private readonly maxEvents: number;
  private readonly maxSyncs: number;
  private readonly maxCommands: number;
  private readonly maxJoins: number;
  private readonly maxRooms: number;

  constructor(config: ConfigService<Env, true>) {
    this.maxEvents = config.get('SOCKET_MAX_EVENTS_PER_S', { infer: true });
    this.maxSyncs = config.get('SOCKET_MAX_SYNCS_PER_S', { infer: true });
    this.maxCommands = config.get('SOCKET_MAX_COMMANDS_PER_S', { infer: true });
    this.maxJoins = config.get('SOCKET_MAX_JOINS_PER_10S', { infer: true });
    this.maxRooms = config.get('SOCKET_MAX_ROOMS', { infer: true });
  }

  fresh(now = Date.now()): SocketQuotaState {
    return {
      events: new TokenBucket(this.maxEvents, this.maxEvents, now),
      syncs: new TokenBucket(this.maxSyncs, this.maxSyncs, now),
      commands: new TokenBucket(this.maxCommands, this.maxCommands, now),
      joins: new TokenBucket(this.maxJoins, this.maxJoins / JOIN_WINDOW_S, now),
      refusedInRow: 0,
    };
  }

  /** Every inbound event, before its handler. */
  admit(quota: SocketQuotaState, event: unknown, now = Date.now()): Admission {
    const error = this.refusal(quota, event, now);
    if (error === null) {
      quota.refusedInRow = 0;
      return { ok: true };
    }
    quota.refusedInRow += 1;
    return { ok: false, error, drop: quota.refusedInRow > this.maxEvents };
  }

  /** A join (at connect or `session:join`): so often, and so many rooms. */
  admitJoin(quota: SocketQuotaState, rooms: ReadonlySet<string>, room: string): void {
    if (!quota.joins.take(Date.now()))
      throw limited(`at most ${this.maxJoins} joins per ${JOIN_WINDOW_S} s`, this.maxJoins);
    if (!rooms.has(room) && rooms.size > this.maxRooms)
      throw limited(`a socket may watch at most ${this.maxRooms} sessions`, this.maxRooms);
  }

  private refusal(quota: SocketQuotaState, event: unknown, now: number): DomainError | null {
    if (!quota.events.take(now))
      return limited(`at most ${this.maxEvents} events per second`, this.maxEvents);
    if (event === 'time:sync' && !quota.syncs.take(now))
      return limited(`at most ${this.maxSyncs} time:sync per second`, this.maxSyncs);
    if (event === 'session:switch' && !quota.commands.take(now))
      return limited(`at most ${this.maxCommands} commands per second`, this.maxCommands);
    return null;
  }
}

function limited(message: string, limit: number): DomainError {
  return DomainError.rateLimited(message, limit, 1);
}
