import { ClockParticipant, ClockState } from './clock.types';
import {
  bankOf,
  byoyomiInProgress,
  byoyomiLeft,
  byoyomiOnEntry,
  currentStage,
  delayOf,
  freshByoyomi,
  mainTimeBetween,
  periodOf,
} from './time-control';
import { Byoyomi, ByoyomiClock, ByoyomiView, MoveAccount, TimeControl } from './time-control.types';

/**
 * The turn of a participant under a time control (contract section 7), computed from the
 * anchor: `state.turn_used_ms` is the turn's running time `t` so far, the participant's bank
 * (`total_time_ms - time_used_ms`) and byo-yomi balances are as of the anchor.
 */
interface Charged {
  /** What the main bank loses. */
  fromBank: number;
  bank: number;
  /** Set when the participant has byo-yomi. */
  byoyomi?: ByoyomiClock;
}

/** What `run` more ms of this participant's turn do to its bank and byo-yomi. */
function charge(s: ClockState, p: ClockParticipant, control: TimeControl, run: number): Charged {
  const t0 = s.turn_used_ms;
  const main = mainTimeBetween(control, currentStage(control, p).stage, t0, t0 + run);
  const before = bankOf(p);
  const fromBank = Math.min(before, main);
  const bank = before - fromBank;
  const rules = control.byoyomi;
  if (!rules) return { fromBank, bank };
  if (bank > 0) return { fromBank, bank, byoyomi: p.byoyomi };
  // The bank is empty: byo-yomi began the instant it emptied (now, or at an earlier anchor).
  const clock = before > 0 ? byoyomiOnEntry(rules, p.byoyomi) : byoyomiInProgress(rules, p.byoyomi);
  clock.used_ms += main - fromBank;
  return { fromBank, bank, byoyomi: clock };
}

/** Charges `run` ms of running time to the active participant under a control. */
export function chargeControlled(
  s: ClockState,
  p: ClockParticipant,
  control: TimeControl,
  run: number,
): void {
  const c = charge(s, p, control, run);
  p.time_used_ms += c.fromBank;
  if (c.byoyomi) p.byoyomi = c.byoyomi;
  s.turn_charged_ms = (s.turn_charged_ms ?? 0) + c.fromBank;
}

/**
 * Running time from the anchor to the flag of the active participant: the rest of a simple
 * delay plus the bank, then (with byo-yomi) what is left of it. Never negative.
 */
export function flagAfterAnchor(s: ClockState, p: ClockParticipant, control: TimeControl): number {
  const bank = bankOf(p);
  const rules = control.byoyomi;
  if (!rules) {
    if (bank <= 0) return 0;
    const stage = currentStage(control, p).stage;
    const delay =
      control.delay_kind === 'simple' ? Math.max(0, delayOf(stage) - s.turn_used_ms) : 0;
    return delay + bank;
  }
  if (bank > 0) return bank + byoyomiLeft(rules, byoyomiOnEntry(rules, p.byoyomi));
  return byoyomiLeft(rules, byoyomiInProgress(rules, p.byoyomi));
}

/** How long a participant could still play by itself, for the session's Redis TTL. */
export function horizonOf(p: ClockParticipant, control: TimeControl): number {
  if (control.byoyomi) return Infinity; // a running session with byo-yomi is never evicted
  const stage = currentStage(control, p).stage;
  return bankOf(p) + (control.delay_kind === 'simple' ? delayOf(stage) : 0);
}

export interface ControlledLive {
  bank: number;
  stage_index: number;
  delay_remaining_ms: number;
  byoyomi_state: ByoyomiView | null;
  /** Japanese: the periods left as of the start of its current (or next) turn. */
  byoyomi_periods_left?: number;
}

/** The live values of a participant under a control, `run` ms after the anchor (0 if waiting). */
export function liveOf(
  s: ClockState,
  p: ClockParticipant,
  control: TimeControl,
  isActive: boolean,
  run: number,
): ControlledLive {
  const stage = currentStage(control, p);
  const c = charge(s, p, control, isActive ? run : 0);
  const delay = delayOf(stage.stage);
  const live: ControlledLive = {
    bank: c.bank,
    stage_index: stage.index,
    delay_remaining_ms: isActive && delay > 0 ? Math.max(0, delay - s.turn_used_ms - run) : 0,
    byoyomi_state: null,
  };
  const rules = control.byoyomi;
  if (!rules) return live;
  const clock = c.byoyomi ?? byoyomiOnEntry(rules, p.byoyomi);
  if (clock.kind === 'japanese') live.byoyomi_periods_left = clock.periods_left;
  if (c.bank > 0) return live;
  live.byoyomi_state = byoyomiView(periodOf(rules), clock, p.has_expired);
  return live;
}

function byoyomiView(period: number, clock: ByoyomiClock, expired: boolean): ByoyomiView {
  if (clock.kind === 'canadian') {
    const left = expired ? 0 : Math.max(0, period - clock.used_ms);
    return { moves_left: clock.moves_left, period_remaining_ms: left };
  }
  const used = Math.min(clock.used_ms, Math.max(0, clock.periods_left) * period);
  const periodsLeft = expired ? 0 : Math.max(0, clock.periods_left - Math.floor(used / period));
  return {
    periods_left: periodsLeft,
    period_remaining_ms: periodsLeft === 0 ? 0 : period - (used % period),
  };
}

/**
 * The mover's side of a switch, after its turn was charged up to now: the Bronstein refund,
 * the increment (capped), the next stage's time, and byo-yomi's count. Returns the account.
 */
export function completeMove(
  s: ClockState,
  mover: ClockParticipant,
  control: TimeControl,
): MoveAccount {
  const move = currentStage(control, mover);
  const t = s.turn_used_ms;
  const delay = delayOf(move.stage);
  const refund = control.delay_kind === 'bronstein' ? Math.min(delay, t) : 0;
  mover.time_used_ms = Math.max(0, mover.time_used_ms - refund);
  const charged = Math.max(0, (s.turn_charged_ms ?? 0) - refund);
  const increment = creditIncrement(mover, move.stage.increment_ms ?? 0, control.increment_cap_ms);
  const next = move.completesStage ? control.stages[move.index + 1] : undefined;
  const stageAdded = next ? Math.max(0, next.time_ms) : 0;
  mover.total_time_ms += stageAdded;
  if (control.byoyomi && mover.byoyomi) {
    mover.byoyomi = afterByoyomiMove(control.byoyomi, mover.byoyomi, bankOf(mover));
  }
  mover.cycle_count += 1;
  return {
    charged_ms: charged,
    delay_refund_ms: refund,
    increment_ms: increment,
    stage_added_ms: stageAdded,
  };
}

/** Fischer, capped: the bank becomes max(bank, min(bank + increment, cap)). */
function creditIncrement(p: ClockParticipant, increment: number, cap: number | undefined): number {
  if (increment <= 0) return 0;
  const bank = bankOf(p);
  const after =
    cap === undefined ? bank + increment : Math.max(bank, Math.min(bank + increment, cap));
  p.total_time_ms += after - bank;
  return after - bank;
}

/**
 * Japanese: the move keeps the periods left as they stand, and the next period starts whole.
 * Canadian: the move counts one down; the one that reaches 0 starts a fresh period.
 */
function afterByoyomiMove(rules: Byoyomi, clock: ByoyomiClock, bank: number): ByoyomiClock {
  if (clock.kind === 'japanese') {
    const spent = Math.floor(clock.used_ms / periodOf(rules));
    return { kind: 'japanese', periods_left: Math.max(0, clock.periods_left - spent), used_ms: 0 };
  }
  if (bank > 0) return clock;
  return clock.moves_left > 1
    ? { kind: 'canadian', moves_left: clock.moves_left - 1, used_ms: clock.used_ms }
    : freshByoyomi(rules);
}

/**
 * The bank just went from empty to some (add-time) or from some to empty (time taken): either
 * way byo-yomi stands as it does on entry, the time spent in it this turn forgiven.
 */
export function resetByoyomiOnBankChange(p: ClockParticipant, control: TimeControl): void {
  if (control.byoyomi) p.byoyomi = byoyomiOnEntry(control.byoyomi, p.byoyomi);
}

/** A participant that flagged: nothing of byo-yomi is left. */
export function exhaustByoyomi(p: ClockParticipant): void {
  if (p.byoyomi?.kind === 'japanese') p.byoyomi = { ...p.byoyomi, periods_left: 0, used_ms: 0 };
}
