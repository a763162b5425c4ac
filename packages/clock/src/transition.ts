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

interface Batch {
  type: EventType;
  at: number;
  fields: StepFields;
  timeouts: Timeout[];
  count: number;
}

/**
 * A working copy of a state and the steps recorded on it. Every step is one new version and
 * keeps a snapshot of the state right after it, so each becomes one audit row. Inside a batch
 * the steps recorded become one (the last one's type, every time-out in order), so that a long
 * chain of expiries costs one snapshot, not one per participant.
 */
export class Transition {
  readonly state: ClockState;
  readonly steps: Step[] = [];
  private batch: Batch | null = null;
  private batching = false;

  constructor(from: ClockState) {
    this.state = cloneState(from);
  }

  beginBatch(): void {
    this.batching = true;
  }

  endBatch(): void {
    if (!this.batching) return;
    this.batching = false;
    const b = this.batch;
    this.batch = null;
    if (!b) return;
    const details = { ...b.fields.details, coalesced_steps: b.count };
    this.record(b.type, b.at, { ...b.fields, details, timeouts: b.timeouts });
  }

  record(type: EventType, at: number, fields: StepFields = {}): void {
    if (this.batching) {
      const b = this.batch ?? { type, at, fields, timeouts: [], count: 0 };
      Object.assign(b, { type, at, fields, count: b.count + 1 });
      b.timeouts.push(...(fields.timeouts ?? []));
      this.batch = b;
      return;
    }
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
