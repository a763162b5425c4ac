import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { ClockState, deadlineOf, lowTimeCrossing } from '@synckairos/clock';
import { REDIS_CLIENT } from '../state/redis.constants';
import { LowTimeWarning } from '../state/session-change';
import { SessionKeys } from '../state/session-keys';

/** Whether a warning was due at `now`, and the one to emit if this caller claimed it. */
export interface LowTimeClaim {
  due: boolean;
  warning?: LowTimeWarning;
}

/** A claim outlives the version's flag by this much, for a backstop that fires late. */
const CLAIM_MARGIN_MS = 3_600_000;

/**
 * Low-time warnings (contract section 9), emitted when the deadline machinery wakes for one.
 * A warning is no version: it carries the current one, computed from its anchors. A state owes
 * at most one warning, so a key per version, claimed with SET NX in the session's hash slot,
 * makes the timer of one instance and the backstop of another emit it once between them.
 */
@Injectable()
export class LowTimeWarnings {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly keys: SessionKeys,
  ) {}

  /**
   * Claims the warning `state` owes if its instant has come (at or before `now`), unless it
   * was claimed already: the caller emits the `warning` returned. `due` when one was due
   * (claimed here or before): the caller's next wake-up is then for what follows it.
   */
  async claimDue(state: ClockState, now: number): Promise<LowTimeClaim> {
    const crossing = lowTimeCrossing(state);
    if (crossing === null || crossing.at_ms > now) return { due: false };
    const ttl = Math.max(0, (deadlineOf(state) ?? now) - now) + CLAIM_MARGIN_MS;
    const key = this.keys.lowTime(state.session_id, state.version);
    if ((await this.redis.set(key, '1', 'PX', ttl, 'NX')) !== 'OK') return { due: true };
    return {
      due: true,
      warning: { sessionId: state.session_id, version: state.version, crossing, state },
    };
  }
}
