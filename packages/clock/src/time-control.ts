import { ClockParticipant, ClockState } from './clock.types';
import { Byoyomi, ByoyomiClock, Stage, TimeControl } from './time-control.types';

/** The control a participant plays by: its own, else the session's (per_participant only). */
export function controlOf(state: ClockState, p: ClockParticipant): TimeControl | undefined {
  if (state.sync_mode !== 'per_participant') return undefined;
  return p.time_control ?? state.time_control;
}

export interface StageOfMove {
  index: number;
  stage: Stage;
  /** This move is the last of its stage, and a next stage follows. */
  completesStage: boolean;
}

/**
 * The stage whose rules a move follows: stage k covers the moves after the sum of the `moves`
 * of the stages before it; the last stage covers all the rest. At most 5 stages.
 */
export function stageOf(control: TimeControl, moveNumber: number): StageOfMove {
  const last = control.stages.length - 1;
  let covered = 0;
  for (let index = 0; index < last; index++) {
    const stage = control.stages[index];
    covered += stage.moves ?? 0;
    if (moveNumber <= covered) return { index, stage, completesStage: moveNumber === covered };
  }
  return { index: last, stage: control.stages[last], completesStage: false };
}

/** The stage of the participant's next move (move `cycle_count + 1`). */
export function currentStage(
  control: TimeControl,
  p: Pick<ClockParticipant, 'cycle_count'>,
): StageOfMove {
  return stageOf(control, p.cycle_count + 1);
}

export function delayOf(stage: Stage): number {
  return Math.max(0, stage.delay_ms ?? 0);
}

/**
 * Main time a turn consumes between running times `t0` and `t1`: the whole run, except that
 * a simple delay holds the bank for the first `D` ms of each turn.
 */
export function mainTimeBetween(
  control: TimeControl,
  stage: Stage,
  t0: number,
  t1: number,
): number {
  const d = control.delay_kind === 'simple' ? delayOf(stage) : 0;
  return Math.max(0, t1 - d) - Math.max(0, t0 - d);
}

/** A period length that cannot make a flag instant collapse onto itself. */
export function periodOf(byoyomi: Byoyomi): number {
  return Math.max(1, byoyomi.period_ms);
}

/** The byo-yomi balances of a participant that has not used any yet. */
export function freshByoyomi(byoyomi: Byoyomi): ByoyomiClock {
  return byoyomi.kind === 'japanese'
    ? { kind: 'japanese', periods_left: byoyomi.periods, used_ms: 0 }
    : { kind: 'canadian', moves_left: byoyomi.moves, used_ms: 0 };
}

/**
 * Byo-yomi as it begins the instant the bank empties: Japanese keeps the periods it had when
 * its turn began, Canadian starts a fresh period.
 */
export function byoyomiOnEntry(byoyomi: Byoyomi, clock: ByoyomiClock | undefined): ByoyomiClock {
  if (byoyomi.kind === 'japanese' && clock?.kind === 'japanese') {
    return { kind: 'japanese', periods_left: clock.periods_left, used_ms: 0 };
  }
  return freshByoyomi(byoyomi);
}

/** Byo-yomi of a participant already in it (its stored balances, or fresh ones if missing). */
export function byoyomiInProgress(byoyomi: Byoyomi, clock: ByoyomiClock | undefined): ByoyomiClock {
  return clock?.kind === byoyomi.kind ? { ...clock } : freshByoyomi(byoyomi);
}

/** Running time from this byo-yomi state to the flag. */
export function byoyomiLeft(byoyomi: Byoyomi, clock: ByoyomiClock): number {
  const period = periodOf(byoyomi);
  const total = clock.kind === 'japanese' ? Math.max(0, clock.periods_left) * period : period;
  return Math.max(0, total - clock.used_ms);
}

export function bankOf(p: ClockParticipant): number {
  return Math.max(0, p.total_time_ms - p.time_used_ms);
}
