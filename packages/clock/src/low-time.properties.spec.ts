import fc from 'fast-check';
import { applyCommand } from './apply-command';
import {
  ClockState,
  Command,
  CreateSessionInput,
  SYNC_MODES,
  TimeControlInput,
} from './clock.types';
import { createSession } from './create-session';
import { LowTimeCrossing, lowTimeCrossing } from './low-time';
import { anchorOf } from './running-clock';
import { toView } from './session-view';
import { wakeUpOf } from './wake-up';

/**
 * The low-time rules for random sessions and commands, with the deadline machinery played
 * out as the service does it: wake at `wakeUpOf`, settle, warn (once per version) when a
 * crossing is due, and wake next for what follows. Every warning must be exact and at most
 * one per turn (per session in global and count_up).
 */
const T0 = 1_800_000_000_000;

const CONTROLS: (TimeControlInput | undefined)[] = [
  undefined,
  { stages: [{ time_ms: 12_000, delay_ms: 3000 }], delay_kind: 'simple' },
  { stages: [{ time_ms: 12_000, delay_ms: 3000 }], delay_kind: 'bronstein' },
  { stages: [{ time_ms: 9000 }], byoyomi: { kind: 'japanese', periods: 2, period_ms: 3000 } },
  {
    stages: [
      { time_ms: 6000, moves: 2 },
      { time_ms: 6000, increment_ms: 2000 },
    ],
  },
];

const sessionArb: fc.Arbitrary<CreateSessionInput> = fc
  .record({
    mode: fc.constantFrom(...SYNC_MODES),
    n: fc.integer({ min: 2, max: 3 }),
    banks: fc.array(fc.integer({ min: 1000, max: 20_000 }), { minLength: 3, maxLength: 3 }),
    low: fc.integer({ min: 1000, max: 8000 }),
    control: fc.constantFrom(...CONTROLS),
    increment: fc.integer({ min: 0, max: 3000 }),
  })
  .map((r) => {
    const controlled = r.mode === 'per_participant' && r.control !== undefined;
    return {
      session_id: 'low-prop',
      sync_mode: r.mode,
      participants: Array.from({ length: r.n }, (_, i) => ({
        participant_id: `p${i}`,
        group_id: `g${i}`,
        ...(!controlled && { total_time_ms: r.banks[i] }),
      })),
      total_time_ms: 20_000,
      time_per_cycle_ms: r.banks[0],
      max_time_ms: 20_000,
      low_time_ms: r.low,
      ...(controlled ? { time_control: r.control } : { increment_ms: r.increment }),
    };
  });

type Op = { dt: number; kind: 'start' | 'switch' | 'pause' | 'resume' | 'settle' } | AddOp;
type AddOp = { dt: number; kind: 'add_time'; ms: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    dt: fc.integer({ min: 0, max: 8000 }),
    kind: fc.constantFrom('start', 'switch', 'switch', 'pause', 'resume', 'settle'),
  }) as fc.Arbitrary<Op>,
  fc.record({
    dt: fc.integer({ min: 0, max: 8000 }),
    kind: fc.constant('add_time' as const),
    ms: fc.integer({ min: -15_000, max: 15_000 }).filter((x) => x !== 0),
  }),
);

function commandOf(op: Op, s: ClockState): Command {
  if (op.kind !== 'add_time') return { kind: op.kind };
  const banks = s.sync_mode === 'per_participant' || s.sync_mode === 'per_group';
  const active = s.active_participant_id ?? s.participants[0].participant_id;
  if (s.sync_mode === 'per_group') {
    const member = s.participants.find((p) => p.participant_id === active);
    return { kind: 'add_time', group_id: member?.group_id, ms: op.ms };
  }
  return {
    kind: 'add_time',
    ms: op.ms,
    ...(banks || s.sync_mode === 'per_cycle' ? { participant_id: active } : {}),
  };
}

interface Warning extends LowTimeCrossing {
  version: number;
  state: ClockState;
  turn: number;
}

const PASSES_TURN = new Set([
  'session_started',
  'cycle_switched',
  'cycle_timeout',
  'participant_expired',
  'group_expired',
]);

class Machinery {
  now = T0;
  turn = 0;
  warnings: Warning[] = [];
  private claimed = new Set<number>();
  private handledUntil: number | undefined;

  constructor(public state: ClockState) {}

  /** What the service does by itself up to `until`, then the command at `until`. */
  runUntil(until: number): void {
    for (let i = 0; ; i++) {
      if (i > 500) throw new Error('the machinery does not settle down');
      const due = wakeUpOf(this.state, this.handledUntil);
      if (due === null || due > until) break;
      this.now = Math.max(this.now, due);
      this.apply({ kind: 'settle' });
      const crossing = lowTimeCrossing(this.state);
      if (crossing !== null && crossing.at_ms <= this.now) {
        if (!this.claimed.has(this.state.version)) {
          this.claimed.add(this.state.version);
          this.warnings.push({
            ...crossing,
            version: this.state.version,
            state: this.state,
            turn: this.turn,
          });
        }
        this.handledUntil = this.now;
      }
    }
    this.now = Math.max(this.now, until);
  }

  apply(command: Command): void {
    const r = applyCommand(this.state, command, this.now);
    if (r.steps.length === 0) return;
    for (const step of r.steps) if (PASSES_TURN.has(step.type)) this.turn++;
    this.state = r.state;
    this.handledUntil = undefined; // a change re-arms with every owed warning
  }
}

describe('low-time warnings, for random sessions and commands', () => {
  it('are exact, only while running, and at most one per turn (per session in global, count_up)', () => {
    fc.assert(
      fc.property(sessionArb, fc.array(opArb, { maxLength: 25 }), (spec, ops) => {
        const m = new Machinery(createSession(spec, T0).state);
        const low = spec.low_time_ms as number;
        for (const op of ops) {
          m.runUntil(m.now + op.dt);
          m.apply(commandOf(op, m.state));
        }
        m.runUntil(m.now + 200_000);
        for (const w of m.warnings) {
          expect(w.state.status).toBe('running');
          const anchor = anchorOf(w.state) as number;
          expect(w.at_ms).toBeGreaterThanOrEqual(anchor);
          expect(toView(w.state, w.at_ms).time_remaining_ms).toBe(w.remaining_ms);
          expect(w.remaining_ms).toBeLessThanOrEqual(low);
          if (w.at_ms > anchor) {
            expect(w.remaining_ms).toBe(low);
            expect(toView(w.state, w.at_ms - 1).time_remaining_ms).toBeGreaterThan(low);
          }
        }
        const perWatch = spec.sync_mode === 'global' || spec.sync_mode === 'count_up';
        const turns = m.warnings.map((w) => (perWatch ? 0 : w.turn));
        expect(new Set(turns).size).toBe(turns.length);
      }),
      { numRuns: 400 },
    );
  });

  it('warn, at its instant, every clock left to run down past the threshold', () => {
    const gaps = fc.array(fc.integer({ min: 0, max: 25_000 }), { maxLength: 8 });
    fc.assert(
      fc.property(sessionArb, gaps, (spec, dts) => {
        const m = new Machinery(createSession(spec, T0).state);
        m.apply({ kind: 'start' });
        for (const dt of dts) {
          const owed = lowTimeCrossing(m.state);
          const version = m.state.version;
          m.runUntil(m.now + dt);
          if (owed !== null && owed.at_ms <= m.now) {
            expect(m.warnings).toContainEqual(
              expect.objectContaining({
                at_ms: owed.at_ms,
                version,
                remaining_ms: owed.remaining_ms,
              }),
            );
          }
          m.apply({ kind: 'switch' });
        }
      }),
      { numRuns: 300 },
    );
  });
});
