import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { SessionKeys } from '../state/session-keys';
import { WebhookEvent } from './webhook.constants';
import { WEBHOOK_REDIS_CLIENT } from './webhook-redis.provider';
import { WEBHOOK_SCRIPTS, WebhookScriptName } from './webhook-scripts';

/** A session's mailbox keys stay this long after their last use. */
export const MAILBOX_TTL_MS = 8 * 86_400_000;

export type Head =
  | { kind: 'not_owner' }
  | { kind: 'empty' }
  | {
      kind: 'event';
      member: string;
      event: WebhookEvent;
      /** The order of the newest event settled, -1 when none is known. */
      done: number;
      attempts: number;
      firstAttemptAt: number | null;
    };

type Scripted = Record<WebhookScriptName, (...args: (string | number)[]) => Promise<unknown>>;

export const memberOf = (event: Pick<WebhookEvent, 'version' | 'type'>) =>
  `${event.version}:${event.type}`;

/**
 * The per-session mailboxes in Redis (layout: webhook-scripts.ts). Events go in from the
 * queue (take), and the session's one deliverer works them off head first.
 */
@Injectable()
export class WebhookMailbox {
  private readonly redis: Redis & Scripted;
  private readonly root: string;

  constructor(@Inject(WEBHOOK_REDIS_CLIENT) redis: Redis, keys: SessionKeys) {
    for (const [name, script] of Object.entries(WEBHOOK_SCRIPTS)) {
      if (!(name in redis)) redis.defineCommand(name, script);
    }
    this.redis = redis as Redis & Scripted;
    this.root = `${keys.queuePrefix()}:wh`;
  }

  /** Puts a session's events in its mailbox; the deliver job id that owns it, if any pending. */
  async take(sessionId: string, events: WebhookEvent[]): Promise<string | null> {
    const args: (string | number)[] = [
      sessionId,
      MAILBOX_TTL_MS,
      `wh-${sessionId}-`,
      Math.min(...events.map((e) => e.occurred_at_ms)),
    ];
    for (const e of events) {
      args.push(memberOf(e), e.seq, e.prev ?? '', e.url === undefined ? '1' : '0');
      args.push(JSON.stringify(e), e.occurred_at_ms);
    }
    const owner = await this.redis.whIntake(...this.keysOf(sessionId), this.backlog(), ...args);
    return typeof owner === 'string' ? owner : null;
  }

  async head(sessionId: string, owner: string): Promise<Head> {
    const reply = (await this.redis.whHead(
      ...this.keysOf(sessionId),
      this.backlog(),
      owner,
      sessionId,
      MAILBOX_TTL_MS,
    )) as (string | number)[];
    if (reply[0] === 0) return { kind: 'not_owner' };
    if (reply[0] === 1) return { kind: 'empty' };
    return {
      kind: 'event',
      member: String(reply[1]),
      event: JSON.parse(String(reply[3])) as WebhookEvent,
      done: Number(reply[4]),
      attempts: Number(reply[5]),
      firstAttemptAt: reply[6] === '' ? null : Number(reply[6]),
    };
  }

  /** Counts an attempt at the head: its number and the instant of the first, or null if not the owner. */
  async attempt(
    sessionId: string,
    owner: string,
    member: string,
    now: number,
  ): Promise<{ attempt: number; firstAttemptAt: number } | null> {
    const reply = (await this.redis.whAttempt(this.meta(sessionId), owner, member, now)) as (
      string | number
    )[];
    if (reply[0] === 0) return null;
    return { attempt: Number(reply[0]), firstAttemptAt: Number(reply[1]) };
  }

  /** The head was delivered or given up: the next event may go. */
  async settle(sessionId: string, owner: string, member: string, seq: number): Promise<boolean> {
    const [box, ev, meta] = this.keysOf(sessionId);
    return (await this.redis.whSettle(box, ev, meta, owner, member, seq)) === 1;
  }

  /** The instant of the oldest event not yet delivered or given up, null when none is pending. */
  async oldestPending(): Promise<number | null> {
    const oldest = await this.redis.zrange(this.backlog(), 0, 0, 'WITHSCORES');
    return oldest.length === 2 ? Number(oldest[1]) : null;
  }

  private keysOf(sessionId: string): [string, string, string] {
    return [`${this.root}:box:${sessionId}`, `${this.root}:ev:${sessionId}`, this.meta(sessionId)];
  }

  private meta(sessionId: string): string {
    return `${this.root}:meta:${sessionId}`;
  }

  private backlog(): string {
    return `${this.root}:backlog`;
  }
}
