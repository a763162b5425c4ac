import { applyCommand, CommandResult } from './apply-command';
import { ClockState, Command, CreateSessionInput, SyncMode, TimeControlInput } from './clock.types';
import { createSession } from './create-session';
import { SessionView, toView } from './session-view';

/** Test helpers for the clock: a session and a fake clock that moves only when told. */
export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

export function input(
  mode: SyncMode,
  overrides: Partial<CreateSessionInput> = {},
): CreateSessionInput {
  const bank = mode === 'per_participant' || mode === 'per_group' ? { total_time_ms: 60_000 } : {};
  return {
    session_id: 'game-1',
    sync_mode: mode,
    participants: [
      { participant_id: 'a', ...bank, ...(mode === 'per_group' && { group_id: 'red' }) },
      { participant_id: 'b', ...bank, ...(mode === 'per_group' && { group_id: 'blue' }) },
    ],
    total_time_ms: 600_000,
    ...(mode === 'per_cycle' && { time_per_cycle_ms: 30_000 }),
    ...overrides,
  };
}

/** A two-player chess clock under a time control (section 7): a plays first. */
export function controlled(
  control: TimeControlInput,
  overrides: Partial<CreateSessionInput> = {},
): CreateSessionInput {
  return {
    session_id: 'game-1',
    sync_mode: 'per_participant',
    participants: [{ participant_id: 'a' }, { participant_id: 'b' }],
    time_control: control,
    ...overrides,
  };
}

export class FakeSession {
  state: ClockState;
  now: number;
  last!: CommandResult;

  constructor(spec: CreateSessionInput, now = T0) {
    this.now = now;
    this.state = createSession(spec, now).state;
  }

  static of(mode: SyncMode, overrides: Partial<CreateSessionInput> = {}): FakeSession {
    return new FakeSession(input(mode, overrides));
  }

  advance(ms: number): this {
    this.now += ms;
    return this;
  }

  /** Applies a command; a refusal is thrown, after keeping the settling steps as the service does. */
  run(command: Command): CommandResult {
    this.last = applyCommand(this.state, command, this.now);
    this.state = this.last.state;
    if (this.last.error) throw this.last.error;
    return this.last;
  }

  start(): this {
    this.run({ kind: 'start' });
    return this;
  }

  switch(extra: Omit<Extract<Command, { kind: 'switch' }>, 'kind'> = {}): CommandResult {
    return this.run({ kind: 'switch', ...extra });
  }

  view(): SessionView {
    return toView(applyCommand(this.state, { kind: 'settle' }, this.now).state, this.now);
  }

  /** The details (audit metadata) of the last step of the last command. */
  details(): Record<string, unknown> | undefined {
    return this.last.steps.at(-1)?.details;
  }

  participant(id: string) {
    const p = this.view().participants.find((x) => x.participant_id === id);
    if (!p) throw new Error(`no participant ${id}`);
    return p;
  }
}
