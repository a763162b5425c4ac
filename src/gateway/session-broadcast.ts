import { Server } from 'socket.io';
import { LowTimeWarning, SessionChange, SessionDeletion } from '../state/session-change';
import { lowTimePayload, sessionPayloads } from './session-payloads';
import { ServerToClientEvents, sessionRoom } from './socket-events';

type AnyServer = Server<Record<string, never>, ServerToClientEvents>;

/**
 * Sends a committed change to its session's room: the new state, then every clock that ran
 * out. One publish per event through the adapter, whatever the number of watchers, and only
 * when some instance watches the session.
 */
export function broadcastChange(server: AnyServer, change: SessionChange): void {
  if (change.steps.length === 0 || !change.watched) return;
  const room = server.to(sessionRoom(change.sessionId));
  const { state, timeouts } = sessionPayloads(change);
  room.emit('session:state', state);
  for (const timeout of timeouts) room.emit('session:timeout', timeout);
}

/**
 * A low-time warning, to the room: one publish through the adapter. Unlike a change it is not
 * known whether anybody watches (that comes with a write), so it is always published.
 */
export function broadcastLowTime(server: AnyServer, warning: LowTimeWarning): void {
  server.to(sessionRoom(warning.sessionId)).emit('session:low_time', lowTimePayload(warning));
}

/** Tells the room the session is gone, then empties it on every instance. */
export function broadcastDeletion(server: AnyServer, deletion: SessionDeletion): void {
  const room = sessionRoom(deletion.sessionId);
  server
    .to(room)
    .emit('session:deleted', { session_id: deletion.sessionId, server_time_ms: deletion.now });
  server.in(room).socketsLeave(room);
}
