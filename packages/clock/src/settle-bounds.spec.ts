import { applyCommand } from './apply-command';
import { FakeSession, T0 } from './clock.fixtures';
import { ClockState, CreateSessionInput } from './clock.types';
import { createSession } from './create-session';
import { MAX_TIMEOUT_STEPS } from './settle';

/**
 * Every loop an input can drive is bounded by the rules (issue 14): adversarial sessions settled
 * a long time later finish in a bounded number of steps, with the exact outcome.
 */
const YEARS = 3 * 365 * 86_400_000;
const many = (n: number, extra: (i: number) => Record<string, unknown>) =>
  Array.from({ length: n }, (_, i) => ({ participant_id: `p${i}`, ...extra(i) }));

function settledLater(spec: CreateSessionInput, later = YEARS) {
  const s = new FakeSession(spec).start();
  s.advance(later);
  const r = s.run({ kind: 'settle' });
  return { s, r, timeouts: r.steps.flatMap((x) => x.timeouts) };
}

describe('settle is bounded', () => {
  it('1,000 chess banks of 1 s, years later: the expiry chain, exact, in 65 versions', () => {
    const { s, r, timeouts } = settledLater({
      session_id: 'many',
      sync_mode: 'per_participant',
      participants: many(1000, () => ({ total_time_ms: 1000 })),
    });
    expect(r.steps).toHaveLength(MAX_TIMEOUT_STEPS + 1);
    const flags = timeouts.filter((x) => x.kind === 'participant');
    expect(flags.map((x) => x.at_ms)).toEqual(
      Array.from({ length: 999 }, (_, i) => T0 + (i + 1) * 1000),
    );
    expect(r.steps.at(-1)).toMatchObject({
      type: 'session_expired',
      at: T0 + 999_000,
      details: { coalesced_steps: 999 - MAX_TIMEOUT_STEPS },
    });
    expect(s.state.version).toBe(2 + MAX_TIMEOUT_STEPS + 1);
    expect(s.view().participants.filter((p) => p.has_expired)).toHaveLength(999);
  });

  it('1,000 players with 50 Japanese periods each, years later: each flags at bank + 50 periods', () => {
    const { s, timeouts } = settledLater({
      session_id: 'go',
      sync_mode: 'per_participant',
      participants: many(1000, () => ({})),
      time_control: {
        stages: [{ time_ms: 1000 }],
        byoyomi: { kind: 'japanese', periods: 50, period_ms: 1000 },
      },
    });
    const flags = timeouts.filter((x) => x.kind === 'participant').map((x) => x.at_ms);
    expect(flags).toHaveLength(999);
    expect(flags.at(-1)).toBe(T0 + 999 * 51_000);
    expect(s.view()).toMatchObject({ status: 'expired' });
  });

  it('1,000 groups of one, years later', () => {
    const { s, r } = settledLater({
      session_id: 'teams',
      sync_mode: 'per_group',
      participants: many(1000, (i) => ({ group_id: `g${i}`, total_time_ms: 1000 })),
    });
    expect(r.steps.length).toBeLessThanOrEqual(MAX_TIMEOUT_STEPS + 1);
    expect(s.view()).toMatchObject({
      status: 'expired',
      session_completed_at: new Date(T0 + 999_000).toISOString(),
    });
  });

  it.each([null, 0, -5, Number.NaN])(
    'a per_cycle state with a turn budget of %p (past validation) never times out, never spins',
    (budget) => {
      const spec: CreateSessionInput = {
        session_id: 'broken',
        sync_mode: 'per_cycle',
        participants: many(1000, () => ({})),
        time_per_cycle_ms: 1000,
      };
      const started = applyCommand(createSession(spec, T0).state, { kind: 'start' }, T0).state;
      const broken: ClockState = { ...started, time_per_cycle_ms: budget };
      const r = applyCommand(broken, { kind: 'settle' }, T0 + YEARS);
      expect(r.steps).toHaveLength(0);
      expect(r.state.status).toBe('running');
    },
  );

  it('a per_cycle turn of 1 s with 1,000 players, years later, ends at its idle limit', () => {
    const { s, r } = settledLater({
      session_id: 'poker',
      sync_mode: 'per_cycle',
      participants: many(1000, () => ({})),
      time_per_cycle_ms: 1000,
      max_idle_rounds: 1000,
    });
    expect(r.steps).toHaveLength(MAX_TIMEOUT_STEPS + 1);
    expect(s.view()).toMatchObject({
      status: 'expired',
      session_completed_at: new Date(T0 + 1_000_000_000).toISOString(),
    });
  });

  it('Canadian byo-yomi, stages and delays at their limits, years later', () => {
    const { s } = settledLater({
      session_id: 'stages',
      sync_mode: 'per_participant',
      participants: many(1000, (i) => ({
        time_control:
          i % 2 === 0
            ? {
                stages: [{ time_ms: 1000 }],
                byoyomi: { kind: 'canadian', moves: 100, period_ms: 1000 },
              }
            : {
                stages: [
                  ...Array.from({ length: 4 }, () => ({
                    time_ms: 1000,
                    delay_ms: 60_000,
                    moves: 500,
                  })),
                  { time_ms: 1000, delay_ms: 60_000 },
                ],
                delay_kind: 'simple' as const,
              },
      })),
    });
    expect(s.view().status).toBe('expired');
    expect(s.view().session_completed_at).toBe(
      new Date(T0 + 500 * 2000 + 499 * 61_000).toISOString(),
    );
  });
});
