import fc from 'fast-check';
import {
  applyCommand,
  SYNC_MODES,
  type ClockState,
  type Command,
  createSession,
  toView,
} from '@synckairos/clock';
import { anchorFromView } from './server-clock';
import { liveView, remainingIn } from './live-view';

/**
 * The SDK's live values must be the server's: a state the server showed at some instant, viewed
 * by the SDK at any later instant, equals what the server itself answers at that instant. These
 * specs test that property, so they hold for the clock's own anchorFromView too.
 */
const T0 = 1_800_000_000_000;

const sessionArb = fc
  .record({
    mode: fc.constantFrom(...SYNC_MODES),
    n: fc.integer({ min: 1, max: 4 }),
    banks: fc.array(fc.integer({ min: 1000, max: 20_000 }), { minLength: 4, maxLength: 4 }),
    total: fc.integer({ min: 1000, max: 40_000 }),
    cycle: fc.integer({ min: 1000, max: 8000 }),
    increment: fc.integer({ min: 0, max: 3000 }),
    max: fc.option(fc.integer({ min: 1000, max: 40_000 }), { nil: undefined }),
    autoAdvance: fc.boolean(),
  })
  .map(
    (r) =>
      createSession(
        {
          session_id: 'live',
          sync_mode: r.mode,
          participants: Array.from({ length: r.n }, (_, i) => ({
            participant_id: `p${i}`,
            group_id: `g${i % 2}`,
            total_time_ms: r.mode === 'per_group' ? r.banks[i % 2] : r.banks[i],
          })),
          total_time_ms: r.total,
          time_per_cycle_ms: r.cycle,
          increment_ms: r.increment,
          max_time_ms: r.max,
          auto_advance: r.autoAdvance,
        },
        T0,
      ).state,
  );

const kinds = ['start', 'switch', 'pause', 'resume', 'add_time', 'settle'] as const;
const opArb = fc.record({
  dt: fc.integer({ min: 0, max: 9000 }),
  kind: fc.constantFrom(...kinds),
  ms: fc.integer({ min: -5000, max: 5000 }).filter((x) => x !== 0),
});

function drive(state: ClockState, ops: { dt: number; kind: (typeof kinds)[number]; ms: number }[]) {
  let now = T0;
  for (const op of ops) {
    now += op.dt;
    const command: Command =
      op.kind === 'add_time'
        ? {
            kind: 'add_time',
            ms: op.ms,
            ...(state.sync_mode === 'per_participant' && { participant_id: 'p0' }),
          }
        : { kind: op.kind };
    state = applyCommand(state, command, now).state;
  }
  return { state, now };
}

/** What the server answers at `at`: settle, then view. */
const serverView = (state: ClockState, at: number) =>
  toView(applyCommand(state, { kind: 'settle' }, at).state, at);

describe('live values', () => {
  it('are what the server answers at any later instant, in every mode', () => {
    fc.assert(
      fc.property(
        sessionArb,
        fc.array(opArb, { maxLength: 8 }),
        fc.integer({ min: 0, max: 60_000 }),
        (initial, ops, later) => {
          const { state, now } = drive(initial, ops);
          const shown = serverView(state, now);
          expect(liveView(shown, now + later)).toEqual(serverView(state, now + later));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('give back the state itself at its own server_time_ms', () => {
    fc.assert(
      fc.property(sessionArb, fc.array(opArb, { maxLength: 8 }), (initial, ops) => {
        const { state, now } = drive(initial, ops);
        const shown = serverView(state, now);
        expect(liveView(shown, shown.server_time_ms)).toEqual(shown);
        expect(toView(anchorFromView(shown), shown.server_time_ms)).toEqual(shown);
      }),
    );
  });

  it('remaining: a participant, the running clock, null where nothing runs down', () => {
    const created = createSession(
      {
        session_id: 'chess',
        sync_mode: 'per_participant',
        participants: [
          { participant_id: 'white', total_time_ms: 60_000 },
          { participant_id: 'black', total_time_ms: 60_000 },
        ],
        total_time_ms: 120_000,
      },
      T0,
    ).state;
    const started = applyCommand(created, { kind: 'start' }, T0).state;
    const shown = serverView(started, T0 + 1000);
    const at = liveView(shown, T0 + 4000);
    expect(remainingIn(at, 'white')).toBe(56_000);
    expect(remainingIn(at, 'black')).toBe(60_000);
    expect(remainingIn(at)).toBe(56_000);
    expect(remainingIn(at, 'nobody')).toBeNull();
    // white's bank runs out at T0 + 60 s: the server's rules end the session there
    const after = liveView(shown, T0 + 61_000);
    expect(after.status).toBe('expired');
    expect(remainingIn(after, 'white')).toBe(0);
  });
});
