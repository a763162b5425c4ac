import { DomainError } from './domain-error';
import { input, T0 } from './clock.fixtures';
import { createSession } from './create-session';

function fieldsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError && e.code === 'VALIDATION_ERROR') {
      return (e.details?.fields as { field: string }[]).map((f) => f.field);
    }
    throw e;
  }
  throw new Error('expected a validation error');
}

describe('createSession', () => {
  it('starts pending at version 1 with the contract defaults', () => {
    const { state, step } = createSession(input('per_participant'), T0);
    expect(state).toMatchObject({
      status: 'pending',
      version: 1,
      active_participant_id: null,
      increment_ms: 0,
      auto_advance: true,
      time_per_cycle_ms: null,
      max_time_ms: null,
      cycle_started_at: null,
      session_started_at: null,
      session_completed_at: null,
      created_at: T0,
      updated_at: T0,
      groups: null,
    });
    expect(state.metadata).toBeUndefined();
    expect(step).toMatchObject({ type: 'session_created', version: 1, at: T0 });
    expect(step.state).toEqual(state);
    expect(step.state).not.toBe(state);
  });

  it('orders participants by participant_index, defaulting to the array position', () => {
    const { state } = createSession(
      input('per_participant', {
        participants: [
          { participant_id: 'x', participant_index: 5, total_time_ms: 1000 },
          { participant_id: 'y', total_time_ms: 1000 },
          { participant_id: 'z', participant_index: 2, total_time_ms: 1000 },
        ],
      }),
      T0,
    );
    expect(state.participants.map((p) => [p.participant_id, p.participant_index])).toEqual([
      ['y', 1],
      ['z', 2],
      ['x', 5],
    ]);
  });

  it('refuses duplicate participant ids and indexes, naming the field', () => {
    const spec = input('per_participant', {
      participants: [
        { participant_id: 'a', total_time_ms: 1000 },
        { participant_id: 'a', total_time_ms: 1000 },
        { participant_id: 'c', participant_index: 0, total_time_ms: 1000 },
      ],
    });
    expect(fieldsOf(() => createSession(spec, T0))).toEqual([
      'participants.1.participant_id',
      'participants.2.participant_index',
    ]);
  });

  it.each(['per_participant', 'per_group'] as const)(
    'requires a bank per participant in %s',
    (mode) => {
      const spec = input(mode);
      delete spec.participants[1].total_time_ms;
      expect(fieldsOf(() => createSession(spec, T0))).toContain('participants.1.total_time_ms');
    },
  );

  it.each(['per_cycle', 'global', 'count_up'] as const)(
    'gives participants the session budget when %s does not use banks',
    (mode) => {
      const { state } = createSession(input(mode), T0);
      expect(state.participants.every((p) => p.total_time_ms === 600_000)).toBe(true);
    },
  );

  it('requires time_per_cycle_ms in per_cycle', () => {
    const spec = input('per_cycle');
    delete spec.time_per_cycle_ms;
    expect(fieldsOf(() => createSession(spec, T0))).toEqual(['time_per_cycle_ms']);
  });

  it('requires a group for every participant in per_group', () => {
    const spec = input('per_group');
    delete spec.participants[0].group_id;
    expect(fieldsOf(() => createSession(spec, T0))).toEqual(['participants.0.group_id']);
  });

  it('refuses group members that disagree on their bank', () => {
    const spec = input('per_group', {
      participants: [
        { participant_id: 'a1', group_id: 'red', total_time_ms: 60_000 },
        { participant_id: 'b1', group_id: 'blue', total_time_ms: 60_000 },
        { participant_id: 'a2', group_id: 'red', total_time_ms: 30_000 },
      ],
    });
    expect(fieldsOf(() => createSession(spec, T0))).toEqual(['participants.2.total_time_ms']);
  });

  it('builds one bank per group, in rotation order', () => {
    const { state } = createSession(
      input('per_group', {
        participants: [
          { participant_id: 'a1', group_id: 'red', total_time_ms: 60_000 },
          { participant_id: 'b1', group_id: 'blue', total_time_ms: 90_000 },
          { participant_id: 'a2', group_id: 'red', total_time_ms: 60_000 },
        ],
      }),
      T0,
    );
    expect(state.groups).toEqual([
      { group_id: 'red', total_time_ms: 60_000, time_used_ms: 0, has_expired: false },
      { group_id: 'blue', total_time_ms: 90_000, time_used_ms: 0, has_expired: false },
    ]);
  });

  it('keeps metadata up to 8 KiB and refuses more', () => {
    const fits = { note: 'x'.repeat(8 * 1024 - 20) };
    expect(createSession(input('global', { metadata: fits }), T0).state.metadata).toEqual(fits);
    const tooBig = { note: 'x'.repeat(8 * 1024) };
    expect(fieldsOf(() => createSession(input('global', { metadata: tooBig }), T0))).toEqual([
      'metadata',
    ]);
  });

  describe('null is taken as absent (the pipe lets a null optional field through)', () => {
    it.each([
      ['per_cycle', { time_per_cycle_ms: null }, 'time_per_cycle_ms'],
      ['global', { total_time_ms: null }, 'total_time_ms'],
    ] as const)('%s: a required %o is missing', (mode, extra, field) => {
      expect(fieldsOf(() => createSession(input(mode, extra), T0))).toEqual([field]);
    });

    it.each(['per_participant', 'per_group'] as const)(
      '%s: a participant bank of null is missing',
      (mode) => {
        const spec = input(mode);
        spec.participants[0].total_time_ms = null;
        expect(fieldsOf(() => createSession(spec, T0))).toContain('participants.0.total_time_ms');
      },
    );

    it('per_group: a group_id of null is missing', () => {
      const spec = input('per_group');
      spec.participants[0].group_id = null;
      expect(fieldsOf(() => createSession(spec, T0))).toEqual(['participants.0.group_id']);
    });

    it('optional fields of null take their defaults', () => {
      const { state } = createSession(
        input('per_cycle', {
          increment_ms: null,
          max_time_ms: null,
          auto_advance: null,
          metadata: null,
          max_idle_rounds: null,
          time_control: null,
        }),
        T0,
      );
      expect(state).toMatchObject({
        increment_ms: 0,
        max_time_ms: null,
        auto_advance: true,
        max_idle_rounds: 3,
        consecutive_timeouts: 0,
      });
      expect(state.metadata).toBeUndefined();
      expect(state.time_control).toBeUndefined();
    });
  });

  describe("the session's total_time_ms: required in global only", () => {
    it.each([
      ['per_participant', 120_000],
      ['per_group', 120_000],
      ['per_cycle', 30_000],
      ['count_up', 0],
    ] as const)('%s without it derives %i', (mode, derived) => {
      const { state } = createSession(input(mode, { total_time_ms: undefined }), T0);
      expect(state.total_time_ms).toBe(derived);
    });

    it('count_up without it takes the cap; participants show the same', () => {
      const { state } = createSession(
        input('count_up', { total_time_ms: undefined, max_time_ms: 5000 }),
        T0,
      );
      expect(state.total_time_ms).toBe(5000);
      expect(state.participants.map((p) => p.total_time_ms)).toEqual([5000, 5000]);
    });

    it('as given, when given', () => {
      expect(createSession(input('per_participant'), T0).state.total_time_ms).toBe(600_000);
    });
  });

  it('per_cycle keeps max_idle_rounds (default 3)', () => {
    expect(createSession(input('per_cycle'), T0).state.max_idle_rounds).toBe(3);
    expect(
      createSession(input('per_cycle', { max_idle_rounds: 1000 }), T0).state.max_idle_rounds,
    ).toBe(1000);
    expect(createSession(input('global'), T0).state.max_idle_rounds).toBeUndefined();
  });
});
