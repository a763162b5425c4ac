import { ClockParticipant, ClockState } from './clock.types';
import { ParticipantView, SessionView } from './session-view';
import { currentStage, delayOf, freshByoyomi, periodOf } from './time-control';
import { ByoyomiClock, TimeControl } from './time-control.types';

const ms = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));

/**
 * Rebuilds a state from a section 2 view, anchored at its `server_time_ms`: what a client
 * holds is enough to compute every live value later with the server's own rules (settle,
 * then toView). Every field a view shows comes out the same at any later instant,
 * `cycle_started_at` included: it stays the turn's start, and the anchor (`anchored_at`) is the
 * view's instant. What only the audit trail shows (what the running turn has charged so far)
 * is not in a view and starts again at 0.
 */
export function anchorFromView(view: SessionView): ClockState {
  const controlled = view.participants.some((p) => p.time_control !== undefined);
  const state: ClockState = {
    session_id: view.session_id,
    sync_mode: view.sync_mode,
    status: view.status,
    version: view.version,
    participants: view.participants.map((p) => participantOf(view, p)),
    groups:
      view.groups?.map((g) => ({
        group_id: g.group_id,
        total_time_ms: g.total_time_ms,
        time_used_ms: g.time_used_ms,
        has_expired: g.has_expired,
      })) ?? null,
    active_participant_id: view.active_participant_id,
    total_time_ms: view.total_time_ms,
    time_per_cycle_ms: view.time_per_cycle_ms,
    increment_ms: view.increment_ms,
    max_time_ms: view.max_time_ms ?? null,
    auto_advance: view.auto_advance,
    ...turnClockOf(view),
    session_started_at: ms(view.session_started_at),
    session_completed_at: ms(view.session_completed_at),
    created_at: Date.parse(view.created_at),
    updated_at: Date.parse(view.updated_at),
    elapsed_ms: view.time_elapsed_ms,
    turn_used_ms: turnUsedOf(view),
    ...(view.metadata !== undefined && { metadata: view.metadata }),
    ...(view.time_control && { time_control: view.time_control }),
    ...(controlled && { turn_charged_ms: 0 }),
    ...(view.max_idle_rounds !== undefined && { max_idle_rounds: view.max_idle_rounds }),
    ...(view.consecutive_timeouts !== undefined && {
      consecutive_timeouts: view.consecutive_timeouts,
    }),
    ...(typeof view.scheduled_start_at === 'string' && {
      scheduled_start_at: Date.parse(view.scheduled_start_at),
    }),
    ...(typeof view.low_time_ms === 'number' && { low_time_ms: view.low_time_ms }),
  };
  return state;
}

/** The turn's start as shown, and the anchor at the view's instant when that is later. */
function turnClockOf(view: SessionView): Pick<ClockState, 'cycle_started_at' | 'anchored_at'> {
  const now = view.server_time_ms;
  if (view.status !== 'running') return { cycle_started_at: null };
  const started = ms(view.cycle_started_at);
  if (started === null || !Number.isFinite(started) || started >= now)
    return { cycle_started_at: now };
  return { cycle_started_at: started, anchored_at: now };
}

function participantOf(view: SessionView, p: ParticipantView): ClockParticipant {
  const control = p.time_control;
  const own = control && !sameControl(control, view.time_control) ? control : undefined;
  const byoyomi = control?.byoyomi ? byoyomiOf(p, control) : undefined;
  return {
    participant_id: p.participant_id,
    participant_index: p.participant_index,
    ...(p.group_id !== undefined && { group_id: p.group_id }),
    total_time_ms: p.total_time_ms,
    time_used_ms: p.time_used_ms,
    cycle_count: p.cycle_count,
    has_expired: p.has_expired,
    ...(own !== undefined && { time_control: own }),
    ...(byoyomi !== undefined && { byoyomi }),
  };
}

function sameControl(a: TimeControl, b: TimeControl | null): boolean {
  return b !== null && JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The running turn's time so far, as far as any rule still reads it: per_cycle's budget
 * used, and under a delay how much of it has passed (beyond the delay, `t` no longer matters).
 */
function turnUsedOf(view: SessionView): number {
  const active = view.participants.find((p) => p.is_active);
  if (!active) return 0;
  if (view.sync_mode === 'per_cycle') {
    // Negative after time was added to the turn: what is left may exceed a whole turn.
    const budget = view.time_per_cycle_ms ?? 0;
    return budget - (active.time_remaining_ms ?? budget);
  }
  if (!active.time_control) return 0;
  const delay = delayOf(currentStage(active.time_control, active).stage);
  return Math.max(0, delay - (active.delay_remaining_ms ?? 0));
}

/** Byo-yomi balances from what the view shows (Japanese: as of the turn's start, then spent). */
function byoyomiOf(p: ParticipantView, control: TimeControl): ByoyomiClock | undefined {
  const rules = control.byoyomi;
  if (!rules) return undefined;
  const period = periodOf(rules);
  const shown = p.byoyomi_state ?? null;
  if (rules.kind === 'canadian') {
    if (shown === null || !('moves_left' in shown)) return freshByoyomi(rules);
    return {
      kind: 'canadian',
      moves_left: shown.moves_left,
      used_ms: period - shown.period_remaining_ms,
    };
  }
  const atTurnStart =
    p.byoyomi_periods_left ??
    (shown && 'periods_left' in shown ? shown.periods_left : rules.periods);
  if (shown === null || !('periods_left' in shown) || p.has_expired) {
    return { kind: 'japanese', periods_left: atTurnStart, used_ms: 0 };
  }
  const spent = (atTurnStart - shown.periods_left) * period + (period - shown.period_remaining_ms);
  return { kind: 'japanese', periods_left: atTurnStart, used_ms: Math.max(0, spent) };
}
