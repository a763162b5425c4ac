import { TimeControlInput } from './clock.types';

/**
 * An independent reference of contract section 7, written from the contract's sentences alone
 * and deliberately built the other way round from the clock: it ticks, one millisecond at a
 * time, instead of computing from anchors. Property specs compare the two at every instant.
 * Only for short controls (seconds): a tick per millisecond.
 */
interface RefStage {
  time_ms: number;
  increment_ms: number;
  delay_ms: number;
  moves?: number;
}

interface RefControl {
  stages: RefStage[];
  delay_kind?: 'simple' | 'bronstein';
  cap?: number;
  byoyomi?: { kind: 'japanese' | 'canadian'; count: number; period_ms: number };
}

interface RefParticipant {
  id: string;
  control: RefControl;
  bank: number;
  total: number;
  cycle: number;
  expired: boolean;
  /** Japanese: the periods left when this (or its next) turn's byo-yomi time began. */
  periods: number;
  /** Japanese: byo-yomi time spent in the current turn. */
  spent: number;
  /** Canadian: the current period's moves left and time used (it runs over several turns). */
  movesLeft: number;
  periodUsed: number;
}

export interface RefAccount {
  charged_ms: number;
  delay_refund_ms: number;
  increment_ms: number;
  stage_added_ms: number;
}

export interface RefParticipantView {
  participant_id: string;
  total_time_ms: number;
  time_used_ms: number;
  time_remaining_ms: number;
  cycle_count: number;
  has_expired: boolean;
  is_active: boolean;
  stage_index: number;
  delay_remaining_ms: number;
  byoyomi_state: Record<string, number> | null;
}

export function refControl(input: TimeControlInput): RefControl {
  const b = input.byoyomi ?? undefined;
  return {
    stages: input.stages.map((s) => ({
      time_ms: s.time_ms,
      increment_ms: s.increment_ms ?? 0,
      delay_ms: s.delay_ms ?? 0,
      ...(s.moves ? { moves: s.moves } : {}),
    })),
    ...(input.delay_kind ? { delay_kind: input.delay_kind } : {}),
    ...(input.increment_cap_ms ? { cap: input.increment_cap_ms } : {}),
    ...(b
      ? {
          byoyomi: {
            kind: b.kind,
            count: (b.kind === 'japanese' ? b.periods : b.moves) ?? 0,
            period_ms: b.period_ms,
          },
        }
      : {}),
  };
}

/** "Stage k covers the moves after the sum of the moves of the stages before it". */
export function refStageIndex(control: RefControl, move: number): number {
  let before = 0;
  for (let k = 0; k < control.stages.length; k++) {
    const moves = control.stages[k].moves;
    if (moves === undefined || move <= before + moves) return k;
    before += moves;
  }
  return control.stages.length - 1;
}

/** The move number that completes stage k (undefined for the last stage). */
function lastMoveOf(control: RefControl, k: number): number | undefined {
  if (control.stages[k].moves === undefined) return undefined;
  return control.stages.slice(0, k + 1).reduce((sum, s) => sum + (s.moves ?? 0), 0);
}

export class RefClock {
  status: 'pending' | 'running' | 'paused' | 'expired' = 'pending';
  now: number;
  active: number | null = null;
  /** The turn's running time so far, pauses excluded, and what its bank lost so far. */
  t = 0;
  turnBankLoss = 0;
  completedAt: number | null = null;
  /** `cycle_started_at`: the instant the turn began, or the resume within it. */
  turnStartedAt: number | null = null;
  flags: { participant_id: string; at_ms: number }[] = [];
  readonly ps: RefParticipant[];

  constructor(participants: { id: string; control: RefControl }[], now: number) {
    this.now = now;
    this.ps = participants.map(({ id, control }) => ({
      id,
      control,
      bank: control.stages[0].time_ms,
      total: control.stages[0].time_ms,
      cycle: 0,
      expired: false,
      periods: control.byoyomi?.kind === 'japanese' ? control.byoyomi.count : 0,
      spent: 0,
      movesLeft: control.byoyomi?.kind === 'canadian' ? control.byoyomi.count : 0,
      periodUsed: 0,
    }));
  }

  private stage(p: RefParticipant): RefStage {
    return p.control.stages[refStageIndex(p.control, p.cycle + 1)];
  }

  private beginTurn(index: number | null): void {
    this.active = index;
    this.turnStartedAt = this.status === 'running' ? this.now : null;
    this.t = 0;
    this.turnBankLoss = 0;
    if (index !== null) this.ps[index].spent = 0;
  }

  private nextWithTime(from: number): number | null {
    for (let k = 1; k <= this.ps.length; k++) {
      const i = (from + k) % this.ps.length;
      if (!this.ps[i].expired) return i;
    }
    return null;
  }

  private flag(i: number): void {
    const p = this.ps[i];
    p.expired = true;
    this.flags.push({ participant_id: p.id, at_ms: this.now });
    if (this.ps.filter((x) => !x.expired).length < 2) {
      this.status = 'expired';
      this.completedAt = this.now;
      this.active = null;
      this.turnStartedAt = null;
      return;
    }
    if (this.active === i) this.beginTurn(this.nextWithTime(i));
  }

  /** The bank just reached 0: byo-yomi begins at this instant, or the flag falls. */
  private emptied(i: number): void {
    const p = this.ps[i];
    const b = p.control.byoyomi;
    if (!b) return this.flag(i);
    if (b.kind === 'canadian') {
      p.movesLeft = b.count;
      p.periodUsed = 0;
    } else if (this.active === i) {
      p.spent = 0;
    }
  }

  /** One millisecond of the active turn's running time. */
  private tick(): void {
    const i = this.active as number;
    const p = this.ps[i];
    this.now += 1;
    this.t += 1;
    const D = this.stage(p).delay_ms;
    if (p.control.delay_kind === 'simple' && this.t <= D) return;
    if (p.bank > 0) {
      p.bank -= 1;
      this.turnBankLoss += 1;
      if (p.bank === 0) this.emptied(i);
      return;
    }
    const b = p.control.byoyomi as NonNullable<RefControl['byoyomi']>;
    if (b.kind === 'japanese') {
      p.spent += 1;
      if (p.spent === p.periods * b.period_ms) this.flag(i);
    } else {
      p.periodUsed += 1;
      if (p.periodUsed === b.period_ms) this.flag(i);
    }
  }

  advanceTo(at: number): void {
    while (this.now < at) {
      if (this.status === 'running') this.tick();
      else this.now = at;
    }
  }

  start(): boolean {
    if (this.status !== 'pending') return false;
    this.status = 'running';
    this.beginTurn(0);
    return true;
  }

  pause(): boolean {
    if (this.status !== 'running') return false;
    this.status = 'paused';
    this.turnStartedAt = null;
    return true;
  }

  resume(): boolean {
    if (this.status !== 'paused') return false;
    this.status = 'running';
    this.turnStartedAt = this.now;
    return true;
  }

  /** A move by the active participant, handing the turn to `next` if given; null if refused. */
  switchTurn(next?: number): RefAccount | null {
    if (this.status !== 'running' || this.active === null) return null;
    if (next !== undefined && this.ps[next].expired) return null;
    const i = this.active;
    const p = this.ps[i];
    const k = refStageIndex(p.control, p.cycle + 1);
    const stage = p.control.stages[k];
    const refund = p.control.delay_kind === 'bronstein' ? Math.min(stage.delay_ms, this.t) : 0;
    p.bank += refund;
    const charged = this.turnBankLoss - refund;
    const b = p.control.byoyomi;
    if (b && p.bank === 0 && b.kind === 'japanese') {
      p.periods -= Math.floor(p.spent / b.period_ms);
    } else if (b && p.bank === 0) {
      p.movesLeft -= 1;
      if (p.movesLeft === 0) {
        p.movesLeft = b.count;
        p.periodUsed = 0;
      }
    }
    let increment = 0;
    if (stage.increment_ms > 0) {
      const raised =
        p.control.cap === undefined
          ? p.bank + stage.increment_ms
          : Math.max(p.bank, Math.min(p.bank + stage.increment_ms, p.control.cap));
      increment = raised - p.bank;
      p.bank = raised;
    }
    let stageAdded = 0;
    if (lastMoveOf(p.control, k) === p.cycle + 1) {
      stageAdded = p.control.stages[k + 1].time_ms;
      p.bank += stageAdded;
    }
    p.total += increment + stageAdded;
    p.cycle += 1;
    this.beginTurn(next ?? this.nextWithTime(i));
    return {
      charged_ms: charged,
      delay_refund_ms: refund,
      increment_ms: increment,
      stage_added_ms: stageAdded,
    };
  }

  /** add-time on a participant's main bank; false when refused. */
  addTime(id: string, ms: number): boolean {
    if (this.status === 'expired') return false;
    const i = this.ps.findIndex((p) => p.id === id);
    const p = this.ps[i];
    if (ms > 0) {
      if (p.bank === 0 && this.active === i) p.spent = 0;
      p.bank += ms;
      p.total += ms;
      return true;
    }
    if (p.bank === 0) return true;
    const taken = Math.min(p.bank, -ms);
    p.bank -= taken;
    p.total -= taken;
    if (p.bank === 0) this.emptied(i);
    return true;
  }

  /** Running time until the next instant where a rule changes: delay end, bank empty, period. */
  nextInstants(): number[] {
    if (this.status !== 'running' || this.active === null) return [];
    const p = this.ps[this.active];
    const D = this.stage(p).delay_ms;
    const delayLeft = Math.max(0, D - this.t);
    const out = [delayLeft];
    const mainLeft = p.control.delay_kind === 'simple' ? delayLeft + p.bank : p.bank;
    out.push(mainLeft);
    const b = p.control.byoyomi;
    if (b && p.bank === 0) {
      const used = b.kind === 'japanese' ? p.spent : p.periodUsed;
      out.push(b.period_ms - (used % b.period_ms));
      if (b.kind === 'japanese') out.push(p.periods * b.period_ms - p.spent);
    }
    return out.filter((x) => x > 0);
  }

  view(): RefParticipantView[] {
    return this.ps.map((p, i) => {
      const isActive = this.active === i;
      const D = this.stage(p).delay_ms;
      return {
        participant_id: p.id,
        total_time_ms: p.total,
        time_used_ms: p.total - p.bank,
        time_remaining_ms: p.bank,
        cycle_count: p.cycle,
        has_expired: p.expired,
        is_active: isActive,
        stage_index: refStageIndex(p.control, p.cycle + 1),
        delay_remaining_ms: isActive ? Math.max(0, D - this.t) : 0,
        byoyomi_state: this.byoyomiView(p, isActive),
      };
    });
  }

  private byoyomiView(p: RefParticipant, isActive: boolean): Record<string, number> | null {
    const b = p.control.byoyomi;
    if (!b || p.bank > 0) return null;
    if (b.kind === 'canadian')
      return { moves_left: p.movesLeft, period_remaining_ms: b.period_ms - p.periodUsed };
    if (!isActive) return { periods_left: p.periods, period_remaining_ms: b.period_ms };
    return {
      periods_left: p.periods - Math.floor(p.spent / b.period_ms),
      period_remaining_ms: b.period_ms - (p.spent % b.period_ms),
    };
  }
}
