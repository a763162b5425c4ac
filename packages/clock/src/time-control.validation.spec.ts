import { DomainError } from './domain-error';
import { controlled, input, T0 } from './clock.fixtures';
import { CreateSessionInput, TimeControlInput } from './clock.types';
import { createSession } from './create-session';

function fieldsOf(spec: CreateSessionInput): string[] {
  try {
    createSession(spec, T0);
  } catch (e) {
    if (e instanceof DomainError && e.code === 'VALIDATION_ERROR') {
      return (e.details?.fields as { field: string }[]).map((f) => f.field);
    }
    throw e;
  }
  return [];
}

const one = (stage: Record<string, unknown> = {}): TimeControlInput => ({
  stages: [{ time_ms: 60_000, ...stage }],
});

describe('time control validation (section 7)', () => {
  it.each<[string, TimeControlInput, string[]]>([
    [
      'a valid FIDE control',
      {
        stages: [
          { time_ms: 5_400_000, increment_ms: 30_000, moves: 40 },
          { time_ms: 1_800_000, increment_ms: 30_000 },
        ],
      },
      [],
    ],
    ['no stages', { stages: [] }, ['time_control.stages']],
    [
      'six stages',
      {
        stages: Array.from({ length: 6 }, (_, i) => ({
          time_ms: 1000,
          ...(i < 5 && { moves: 1 }),
        })),
      },
      ['time_control.stages'],
    ],
    ['a first stage under 1 s', { stages: [{ time_ms: 999 }] }, ['time_control.stages.0.time_ms']],
    ['a later stage of 0 ms', { stages: [{ time_ms: 1000, moves: 1 }, { time_ms: 0 }] }, []],
    [
      'a stage but the last without moves',
      { stages: [{ time_ms: 1000 }, { time_ms: 1000 }] },
      ['time_control.stages.0.moves'],
    ],
    [
      'moves on the last stage',
      {
        stages: [
          { time_ms: 1000, moves: 1 },
          { time_ms: 1000, moves: 2 },
        ],
      },
      ['time_control.stages.1.moves'],
    ],
    [
      '501 moves',
      { stages: [{ time_ms: 1000, moves: 501 }, { time_ms: 1000 }] },
      ['time_control.stages.0.moves'],
    ],
    [
      'increment and delay in one stage',
      { ...one({ increment_ms: 1, delay_ms: 1 }), delay_kind: 'simple' },
      ['time_control.stages.0.delay_ms'],
    ],
    ['a delay without delay_kind', one({ delay_ms: 2000 }), ['time_control.delay_kind']],
    [
      'delay_kind without a delay',
      { ...one({ delay_ms: 0 }), delay_kind: 'bronstein' },
      ['time_control.delay_kind'],
    ],
    ['a cap under 1 s', { ...one(), increment_cap_ms: 999 }, ['time_control.increment_cap_ms']],
    ['a cap below the stage time', { ...one(), increment_cap_ms: 1000 }, []],
    [
      'byo-yomi with two stages',
      {
        stages: [{ time_ms: 1000, moves: 1 }, { time_ms: 1000 }],
        byoyomi: { kind: 'japanese', periods: 1, period_ms: 1000 },
      },
      ['time_control.byoyomi'],
    ],
    [
      'byo-yomi with an increment',
      { ...one({ increment_ms: 1 }), byoyomi: { kind: 'japanese', periods: 1, period_ms: 1000 } },
      ['time_control.byoyomi'],
    ],
    [
      'byo-yomi with increment 0 and delay 0',
      {
        ...one({ increment_ms: 0, delay_ms: 0 }),
        byoyomi: { kind: 'canadian', moves: 1, period_ms: 1000 },
      },
      [],
    ],
    [
      'japanese without periods',
      { ...one(), byoyomi: { kind: 'japanese', period_ms: 1000 } },
      ['time_control.byoyomi.periods'],
    ],
    [
      'japanese with 51 periods',
      { ...one(), byoyomi: { kind: 'japanese', periods: 51, period_ms: 1000 } },
      ['time_control.byoyomi.periods'],
    ],
    [
      'japanese with moves',
      { ...one(), byoyomi: { kind: 'japanese', periods: 1, moves: 1, period_ms: 1000 } },
      ['time_control.byoyomi.moves'],
    ],
    [
      'canadian without moves',
      { ...one(), byoyomi: { kind: 'canadian', period_ms: 1000 } },
      ['time_control.byoyomi.moves'],
    ],
    [
      'canadian with periods',
      { ...one(), byoyomi: { kind: 'canadian', moves: 1, periods: 1, period_ms: 1000 } },
      ['time_control.byoyomi.periods'],
    ],
    [
      'a period over an hour',
      { ...one(), byoyomi: { kind: 'canadian', moves: 1, period_ms: 3_600_001 } },
      ['time_control.byoyomi.period_ms'],
    ],
  ])('%s', (_label, control, fields) => {
    expect(fieldsOf(controlled(control))).toEqual(fields);
  });

  describe('scope', () => {
    it.each(['per_group', 'per_cycle', 'global', 'count_up'] as const)(
      'a time_control in %s is refused, naming the field',
      (mode) => {
        expect(fieldsOf(input(mode, { time_control: one() }))).toEqual(['time_control']);
        const spec = input(mode);
        spec.participants[1].time_control = one();
        expect(fieldsOf(spec)).toEqual(['participants.1.time_control']);
      },
    );

    it('participant controls without a session control: every participant needs one', () => {
      const spec = controlled(one(), {
        time_control: undefined,
        participants: [{ participant_id: 'a', time_control: one() }, { participant_id: 'b' }],
      });
      expect(fieldsOf(spec)).toEqual(['participants.1.time_control']);
    });

    it("a participant's control is checked under its own path", () => {
      const spec = controlled(one(), {
        participants: [
          { participant_id: 'a' },
          {
            participant_id: 'b',
            time_control: { ...one(), byoyomi: { kind: 'japanese', periods: 1, period_ms: 999 } },
          },
        ],
      });
      expect(fieldsOf(spec)).toEqual(['participants.1.time_control.byoyomi.period_ms']);
    });

    it('with a control: no session increment, no participant banks; the session budget may be sent', () => {
      const spec = controlled(one(), {
        increment_ms: 1000,
        total_time_ms: 120_000,
        participants: [{ participant_id: 'a', total_time_ms: 60_000 }, { participant_id: 'b' }],
      });
      expect(fieldsOf(spec)).toEqual(['participants.0.total_time_ms', 'increment_ms']);
      expect(fieldsOf(controlled(one(), { increment_ms: 0, total_time_ms: 120_000 }))).toEqual([]);
    });

    it('null is taken as absent everywhere in a control', () => {
      const spec = controlled({
        stages: [{ time_ms: 60_000, increment_ms: null, delay_ms: null, moves: null }],
        delay_kind: null,
        increment_cap_ms: null,
        byoyomi: null,
      });
      const { state } = createSession(spec, T0);
      expect(state.time_control).toEqual({ stages: [{ time_ms: 60_000 }] });
      expect(
        createSession(
          controlled(one(), {
            time_control: null,
            participants: [{ participant_id: 'a', total_time_ms: 1000 }],
          }),
          T0,
        ).state.time_control,
      ).toBeUndefined();
    });
  });
});
