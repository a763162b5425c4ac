import { controlled, FakeSession, T0 } from './clock.fixtures';
import { deadlineOf, nextInRotation, runHorizonMs } from './running-clock';

describe('running clock', () => {
  it.each([
    ['per_participant', {}, T0 + 60_000],
    ['per_group', {}, T0 + 60_000],
    ['per_cycle', {}, T0 + 30_000],
    ['global', {}, T0 + 600_000],
    ['count_up', { max_time_ms: 5000 }, T0 + 5000],
    ['count_up', {}, null],
  ] as const)('%s %o: the deadline is the anchor plus what is left', (mode, extra, due) => {
    const s = FakeSession.of(mode, extra);
    expect(deadlineOf(s.state)).toBeNull();
    s.start();
    expect(deadlineOf(s.state)).toBe(due);
    s.advance(100).run({ kind: 'pause' });
    expect(deadlineOf(s.state)).toBeNull();
  });

  it('a switch moves the deadline to the next bank', () => {
    const s = FakeSession.of('per_participant', { increment_ms: 1000 }).start().advance(10_000);
    s.switch();
    expect(deadlineOf(s.state)).toBe(T0 + 10_000 + 60_000);
  });

  it.each([
    ['per_participant', {}, 120_000],
    ['per_group', {}, 120_000],
    ['per_cycle', { auto_advance: false }, 30_000],
    // With auto_advance, 2 participants × 3 idle rounds: the turn running and 5 more.
    ['per_cycle', {}, 180_000],
    ['per_cycle', { max_idle_rounds: 1 }, 60_000],
    ['global', {}, 600_000],
    ['count_up', { max_time_ms: 5000 }, 5000],
    ['count_up', {}, Infinity],
  ] as const)(
    '%s %o: the run horizon bounds how long it can go on alone',
    (mode, extra, horizon) => {
      expect(runHorizonMs(FakeSession.of(mode, extra).start().state)).toBe(horizon);
    },
  );

  it('rotation finds nobody when every bank is empty', () => {
    const s = FakeSession.of('per_participant');
    for (const p of s.state.participants) p.has_expired = true;
    expect(nextInRotation(s.state, 'a')).toBeNull();
  });

  it('under a time control the horizon counts each bank and its simple delay', () => {
    const us = new FakeSession(
      controlled({ stages: [{ time_ms: 10_000, delay_ms: 3000 }], delay_kind: 'simple' }),
    );
    expect(runHorizonMs(us.start().state)).toBe(2 * (10_000 + 3000));
    const dgt = new FakeSession(
      controlled({ stages: [{ time_ms: 10_000, delay_ms: 3000 }], delay_kind: 'bronstein' }),
    );
    expect(runHorizonMs(dgt.start().state)).toBe(2 * 10_000);
  });
});
