import { applyCommand, createSession, toView, type SessionView } from '@synckairos/clock';

export const T0 = 1_800_000_000_000;

/** A running two-player chess session as the server shows it, at `version` (fields as given). */
export function chessState(id: string, version: number, at = T0): SessionView {
  const created = createSession(
    {
      session_id: id,
      sync_mode: 'per_participant',
      participants: [
        { participant_id: 'white', total_time_ms: 60_000 },
        { participant_id: 'black', total_time_ms: 60_000 },
      ],
      total_time_ms: 120_000,
    },
    T0,
  ).state;
  const started = applyCommand(created, { kind: 'start' }, T0).state;
  return { ...toView(started, at), version };
}
