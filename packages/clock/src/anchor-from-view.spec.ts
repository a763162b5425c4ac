import fc from 'fast-check';
import { anchorFromView } from './anchor-from-view';
import { controlled, FakeSession } from './clock.fixtures';
import { ClockState } from './clock.types';
import { SessionView, toView } from './session-view';
import {
  controlledSessionArb,
  drive,
  opArb,
  plainSessionArb,
  settledAt,
} from './time-control.fixtures';

/** What a client shows: the view, but for the anchor (which anchorFromView moves to now). */
function shown(v: SessionView): Omit<SessionView, 'cycle_started_at'> {
  const { cycle_started_at: _anchor, ...rest } = v;
  return rest;
}

const viewAt = (state: ClockState, t: number) => toView(settledAt(state, t), t);

describe('anchorFromView', () => {
  it.each([
    ['every mode', plainSessionArb],
    ['every time control', controlledSessionArb],
  ])(
    '%s: a view rebuilt into a state shows, at any later instant, what the server shows',
    (_label, sessions) => {
      fc.assert(
        fc.property(
          sessions,
          fc.array(opArb, { maxLength: 25 }),
          fc.integer({ min: 0, max: 9000 }),
          fc.integer({ min: 0, max: 120_000 }),
          (spec, ops, t, later) => {
            const run = drive(spec, ops);
            const at = run.now + t;
            // What a client received: JSON, not the server's objects.
            const sent = JSON.parse(JSON.stringify(viewAt(run.state, at))) as SessionView;
            const rebuilt = anchorFromView(sent);
            expect(shown(viewAt(rebuilt, at))).toEqual(shown(sent));
            expect(shown(viewAt(rebuilt, at + later))).toEqual(
              shown(viewAt(run.state, at + later)),
            );
          },
        ),
        { numRuns: 400 },
      );
    },
  );

  it('rebuilds a Japanese turn half-way through its byo-yomi exactly', () => {
    const s = new FakeSession(
      controlled({
        stages: [{ time_ms: 10_000 }],
        byoyomi: { kind: 'japanese', periods: 3, period_ms: 5000 },
      }),
    )
      .start()
      .advance(17_500);
    const rebuilt = anchorFromView(s.view());
    expect(rebuilt.participants[0].byoyomi).toEqual({
      kind: 'japanese',
      periods_left: 3,
      used_ms: 7500,
    });
    // The turn's start stays as shown; the balances are as of the view's instant.
    expect(rebuilt).toMatchObject({ cycle_started_at: s.now - 17_500, anchored_at: s.now });
  });

  it('rebuilds the delay still to run under a simple delay', () => {
    const s = new FakeSession(
      controlled({ stages: [{ time_ms: 10_000, delay_ms: 3000 }], delay_kind: 'simple' }),
    )
      .start()
      .advance(1200);
    expect(anchorFromView(s.view()).turn_used_ms).toBe(1200);
  });

  it('keeps a participant control only where it differs from the session one', () => {
    const s = new FakeSession(
      controlled(
        { stages: [{ time_ms: 60_000 }] },
        {
          participants: [
            { participant_id: 'a', time_control: { stages: [{ time_ms: 30_000 }] } },
            { participant_id: 'b' },
          ],
        },
      ),
    );
    const rebuilt = anchorFromView(s.view());
    expect(rebuilt.participants.map((p) => p.time_control)).toEqual([
      { stages: [{ time_ms: 30_000 }] },
      undefined,
    ]);
  });
});
