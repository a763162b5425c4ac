// Types only (erased): server-clock re-exports this file's function.
import type { ClockGroup, ClockParticipant, ClockState, SessionView } from './server-clock';

/**
 * PROVISIONAL: to be replaced by the clock's own `anchorFromView` (src/clock, being written
 * with the time controls of contract section 7): then server-clock.ts exports that one and
 * this file is deleted. It covers the five modes without time controls.
 *
 * Turns a state as the server shows it (live at `server_time_ms`) back into the anchors the
 * clock computes from: balances as of `cycle_started_at`, i.e. minus what ran since.
 */
export function anchorFromView(view: SessionView): ClockState {
  const started = parseInstant(view.cycle_started_at);
  const running = view.status === 'running' && started !== null;
  const run = running ? Math.max(0, view.server_time_ms - started) : 0;
  const active = view.participants.find((p) => p.participant_id === view.active_participant_id);
  const activeGroupId = active?.group_id;
  const participants: ClockParticipant[] = view.participants.map((p) => ({
    participant_id: p.participant_id,
    participant_index: p.participant_index,
    ...(p.group_id !== undefined && { group_id: p.group_id }),
    total_time_ms: p.total_time_ms,
    time_used_ms: p.time_used_ms - (p === active ? run : 0),
    cycle_count: p.cycle_count,
    has_expired: p.has_expired,
  }));
  const groups: ClockGroup[] | null =
    view.groups === undefined
      ? null
      : view.groups.map((g) => ({
          group_id: g.group_id,
          total_time_ms: g.total_time_ms,
          time_used_ms: g.time_used_ms - (g.group_id === activeGroupId ? run : 0),
          has_expired: g.has_expired,
        }));
  return {
    session_id: view.session_id,
    sync_mode: view.sync_mode,
    status: view.status,
    version: view.version,
    participants,
    groups,
    active_participant_id: view.active_participant_id,
    total_time_ms: view.total_time_ms,
    time_per_cycle_ms: view.time_per_cycle_ms,
    increment_ms: view.increment_ms,
    max_time_ms: view.max_time_ms ?? null,
    auto_advance: view.auto_advance,
    cycle_started_at: started,
    session_started_at: parseInstant(view.session_started_at),
    session_completed_at: parseInstant(view.session_completed_at),
    created_at: parseInstant(view.created_at) ?? view.server_time_ms,
    updated_at: parseInstant(view.updated_at) ?? view.server_time_ms,
    elapsed_ms: view.time_elapsed_ms - run,
    turn_used_ms: turnUsedAtAnchor(view, active?.time_remaining_ms ?? null, run),
    ...(view.metadata !== undefined && { metadata: view.metadata }),
  };
}

/** per_cycle: the active turn's budget minus what is left, as of the anchor. */
function turnUsedAtAnchor(view: SessionView, activeLeft: number | null, run: number): number {
  if (view.sync_mode !== 'per_cycle' || activeLeft === null) return 0;
  return (view.time_per_cycle_ms ?? 0) - activeLeft - run;
}

function parseInstant(iso: string | null): number | null {
  if (iso === null) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}
