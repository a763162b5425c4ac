import { anchorFromView, settle, toView, Transition, type SessionView } from './server-clock';

/**
 * A state as the server would answer it at `now`: its anchors, settled to `now` with the
 * server's rules (a clock that ran out passes the turn or ends the session at its exact
 * instant), then viewed at `now`. Nothing ticks: the same `now` always gives the same answer.
 */
export function liveView(state: SessionView, now: number): SessionView {
  const at = Math.floor(now);
  const t = new Transition(anchorFromView(state));
  settle(t, at);
  return toView(t.state, at);
}

/**
 * A participant's live time left, or (without an id) the running clock's: the state's
 * `time_remaining_ms` rule. Null where nothing runs down (or no such participant).
 */
export function remainingIn(view: SessionView, participantId?: string): number | null {
  if (participantId === undefined) return view.time_remaining_ms;
  const p = view.participants.find((q) => q.participant_id === participantId);
  return p === undefined ? null : p.time_remaining_ms;
}
