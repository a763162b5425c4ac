import { ConfigService } from '@nestjs/config';
import { applyCommand, ClockState, createSession } from '@synckairos/clock';
import { SessionTtlPolicy } from './session-ttl.policy';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 1);

const policy = new SessionTtlPolicy(
  new ConfigService({ SESSION_RETENTION_S: 3600, SESSION_IDLE_TTL_S: 86_400 }),
);

const pending = (): ClockState =>
  createSession(
    {
      session_id: 'ttl',
      sync_mode: 'per_participant',
      participants: ['a', 'b'].map((participant_id) => ({ participant_id, total_time_ms: 60_000 })),
    },
    T0,
  ).state;

const scheduledAt = (at: number): ClockState =>
  applyCommand(pending(), { kind: 'start', at_ms: at }, T0).state;

describe('SessionTtlPolicy', () => {
  it('keeps a scheduled session until its start plus the retention', () => {
    expect(policy.ttlMs(scheduledAt(T0 + 6 * DAY), T0)).toBe(6 * DAY + HOUR);
    expect(policy.ttlMs(scheduledAt(T0 + 6 * DAY), T0 + 5 * DAY)).toBe(DAY + HOUR);
  });

  it('never keeps one for less than the idle TTL of a pending session', () => {
    expect(policy.ttlMs(scheduledAt(T0 + 1000), T0)).toBe(DAY);
    expect(policy.ttlMs(pending(), T0)).toBe(DAY);
  });
});
