import type { Server, Socket } from 'socket.io';
import type { Principal } from '../auth/principal';
import type { TimeoutKind, SessionView } from '@synckairos/clock';
import type { SocketQuotaState } from './socket-quota';

/** Payloads of contract section 5, server to client. */
export interface SessionStatePayload {
  session_id: string;
  version: number;
  server_time_ms: number;
  state: SessionView;
}

export interface SessionTimeoutPayload {
  session_id: string;
  kind: TimeoutKind;
  participant_id?: string;
  group_id?: string;
  at_ms: number;
  version: number;
}

/** `session:low_time`: the running clock reached the session's `low_time_ms` at `at_ms`. */
export interface SessionLowTimePayload {
  session_id: string;
  participant_id?: string;
  group_id?: string;
  remaining_ms: number;
  at_ms: number;
  /** The version that was current (a warning is no version of its own). */
  version: number;
}

export interface SessionDeletedPayload {
  session_id: string;
  server_time_ms: number;
}

export interface SocketErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** The one map of what the server sends; every emit goes through it. */
export interface ServerToClientEvents {
  'session:state': (payload: SessionStatePayload) => void;
  'session:timeout': (payload: SessionTimeoutPayload) => void;
  'session:low_time': (payload: SessionLowTimePayload) => void;
  'session:deleted': (payload: SessionDeletedPayload) => void;
  'session:error': (payload: SocketErrorBody) => void;
  /** This instance is stopping: reconnect (the load balancer sends you to another one). */
  'server:shutdown': (payload: { reconnect: true }) => void;
}

export type Ack<T> = (response: T | { error: SocketErrorBody }) => void;

export interface ClientToServerEvents {
  'time:sync': (ack: Ack<{ server_time_ms: number }>) => void;
  'session:join': (payload: { session_id: string }, ack: Ack<{ state: SessionView }>) => void;
  'session:leave': (payload: { session_id: string }, ack: Ack<{ ok: true }>) => void;
  'session:switch': (
    payload: {
      session_id: string;
      next_participant_id?: string;
      expected_version?: number;
      current_participant_id?: string;
    },
    ack: Ack<{ data: SessionView & { expired_participant_id?: string } }>,
  ) => void;
}

/** What the server keeps per socket (in this process only: it lives as long as the socket). */
export interface SocketData {
  principal: Principal;
  quota: SocketQuotaState;
  /** Drops the socket when its token expires (SocketAuth). */
  expiryTimer?: NodeJS.Timeout;
}

export type AppServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;
export type AppSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;

export const ROOM_PREFIX = 'session:';
export const sessionRoom = (sessionId: string): string => `${ROOM_PREFIX}${sessionId}`;
