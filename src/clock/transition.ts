import { ClockState, EventType, Step, Timeout } from './clock.types';

export function cloneState(state: ClockState): ClockState {
  return {
    ...state,
    participants: state.participants.map((p) => ({ ...p })),
    groups: state.groups === null ? null : state.groups.map((g) => ({ ...g })),
  };
}

export interface StepFields {
  participant_id?: string | null;
  group_id?: string;
  details?: Record<string, unknown>;
  timeouts?: Timeout[];
}

/**
 * A working copy of a state and the steps recorded on it. Every step is one new version and
 * keeps a snapshot of the state right after it, so each becomes one audit row.
 */
export class Transition {
  readonly state: ClockState;
  readonly steps: Step[] = [];

  constructor(from: ClockState) {
    this.state = cloneState(from);
  }

  record(type: EventType, at: number, fields: StepFields = {}): void {
    this.state.version += 1;
    this.state.updated_at = at;
    this.steps.push({
      type,
      version: this.state.version,
      at,
      participant_id: fields.participant_id ?? null,
      ...(fields.group_id !== undefined && { group_id: fields.group_id }),
      ...(fields.details !== undefined && { details: fields.details }),
      timeouts: fields.timeouts ?? [],
      state: cloneState(this.state),
    });
  }
}
