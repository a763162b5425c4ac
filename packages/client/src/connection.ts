import { io } from 'socket.io-client';
import type { Backoff } from './backoff';
import { asErrorPayload } from './errors';
import type { ErrorPayload } from './types';

/** What the client needs of a Socket.IO client socket (a fake one in tests). */
export interface SocketLike {
  readonly connected: boolean;
  connect(): unknown;
  disconnect(): unknown;
  on(event: string, listener: (...args: never[]) => void): unknown;
  timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> };
}

export interface SocketOptions {
  auth: Record<string, unknown>;
  transports: string[];
}

export type SocketFactory = (url: string, options: SocketOptions) => SocketLike;

/** socket.io-client with its own reconnection off: the Connection reconnects after anything. */
export const defaultSocketFactory: SocketFactory = (url, options) =>
  io(url, {
    ...options,
    autoConnect: false,
    reconnection: false,
    forceNew: true,
  });

export const SERVER_EVENTS = [
  'session:state',
  'session:timeout',
  'session:low_time',
  'session:deleted',
  'session:error',
] as const;
export type ServerEvent = (typeof SERVER_EVENTS)[number];

/** Told, in order, what happens to the connection. */
export interface ConnectionListener {
  onConnected(): void;
  onConnectError(error: ErrorPayload): void;
  onServerEvent(event: ServerEvent, payload: unknown): void;
}

export interface ConnectionOptions {
  url: string;
  socket: SocketOptions;
  factory: SocketFactory;
  backoff: Backoff;
}

/**
 * The client's one socket. Socket.IO gives up after `io server disconnect` (a server shutting
 * down) and this must not, so its reconnection is off and every disconnect or failed attempt
 * schedules the next one here, with backoff, until `close()`.
 */
export class Connection {
  private socket: SocketLike | null = null;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  constructor(
    private readonly options: ConnectionOptions,
    private readonly listener: ConnectionListener,
  ) {}

  get connected(): boolean {
    return this.socket?.connected === true;
  }

  /** Connects if not yet done; later calls do nothing. */
  open(): void {
    if (this.socket !== null || this.closed) return;
    const socket = this.options.factory(this.options.url, this.options.socket);
    this.socket = socket;
    socket.on('connect', () => {
      this.options.backoff.reset();
      this.listener.onConnected();
    });
    socket.on('disconnect', () => this.scheduleReconnect());
    socket.on('connect_error', (err: Error & { data?: unknown }) => {
      this.listener.onConnectError(asErrorPayload(err.data, `cannot connect: ${err.message}`));
      this.scheduleReconnect();
    });
    // The instance is stopping: leave now, the next attempt reaches another one.
    socket.on('server:shutdown', () => socket.disconnect());
    for (const event of SERVER_EVENTS) {
      socket.on(event, (payload: unknown) => this.listener.onServerEvent(event, payload));
    }
    socket.connect();
  }

  /** An acknowledged emit; rejects when not connected or without an answer in time. */
  async request(event: string, payload: unknown, timeoutMs: number): Promise<unknown> {
    const socket = this.socket;
    if (socket === null || !socket.connected) throw new Error('not connected');
    const args = payload === undefined ? [] : [payload];
    return socket.timeout(timeoutMs).emitWithAck(event, ...args);
  }

  close(): void {
    this.closed = true;
    if (this.retry !== null) clearTimeout(this.retry);
    this.retry = null;
    this.socket?.disconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retry !== null) return;
    const delay = this.options.backoff.next();
    this.retry = setTimeout(() => {
      this.retry = null;
      if (!this.closed && this.socket !== null && !this.socket.connected) this.socket.connect();
    }, delay);
  }
}
