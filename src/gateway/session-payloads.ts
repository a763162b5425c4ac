import { LowTimeWarning, SessionChange } from '../state/session-change';
import { SessionLowTimePayload, SessionStatePayload, SessionTimeoutPayload } from './socket-events';

/** What a committed change sends to its room: the new state, and every clock that ran out. */
export function sessionPayloads(change: SessionChange): {
  state: SessionStatePayload;
  timeouts: SessionTimeoutPayload[];
} {
  const timeouts = change.steps.flatMap((step) =>
    step.timeouts.map((t) => ({
      session_id: change.sessionId,
      kind: t.kind,
      ...(t.participant_id !== undefined && { participant_id: t.participant_id }),
      ...(t.group_id !== undefined && { group_id: t.group_id }),
      at_ms: t.at_ms,
      version: step.version,
    })),
  );
  return {
    state: {
      session_id: change.sessionId,
      version: change.view.version,
      server_time_ms: change.view.server_time_ms,
      state: change.view,
    },
    timeouts,
  };
}

/** What a low-time warning sends to its room (contract section 9). */
export function lowTimePayload(warning: LowTimeWarning): SessionLowTimePayload {
  const { at_ms, remaining_ms, participant_id, group_id } = warning.crossing;
  return {
    session_id: warning.sessionId,
    ...(participant_id !== undefined && { participant_id }),
    ...(group_id !== undefined && { group_id }),
    remaining_ms,
    at_ms,
    version: warning.version,
  };
}
