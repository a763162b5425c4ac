import type { SocketFactory, SocketLike, SocketOptions } from '../connection';

type Handler = (...args: unknown[]) => void;
type Responder = (event: string, payload: unknown) => unknown;

/** A Socket.IO client stand-in: the test plays the server. */
export class FakeSocket implements SocketLike {
  connected = false;
  connectCalls = 0;
  readonly requests: { event: string; payload: unknown }[] = [];
  private readonly handlers = new Map<string, Handler[]>();

  constructor(
    readonly url: string,
    readonly options: SocketOptions,
    private readonly respond: Responder,
  ) {}

  connect(): void {
    this.connectCalls += 1;
  }

  disconnect(): void {
    if (!this.connected) return;
    this.connected = false;
    this.fire('disconnect', 'io client disconnect');
  }

  on(event: string, listener: (...args: never[]) => void): void {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), listener as Handler]);
  }

  timeout(_ms: number) {
    return {
      emitWithAck: (event: string, ...args: unknown[]): Promise<unknown> => {
        if (!this.connected) return Promise.reject(new Error('disconnected'));
        this.requests.push({ event, payload: args[0] });
        try {
          return Promise.resolve(this.respond(event, args[0]));
        } catch (err) {
          return Promise.reject(err instanceof Error ? err : new Error(String(err)));
        }
      },
    };
  }

  // ---- the server's side

  accept(): void {
    this.connected = true;
    this.fire('connect');
  }

  drop(reason = 'io server disconnect'): void {
    this.connected = false;
    this.fire('disconnect', reason);
  }

  refuse(message = 'xhr poll error', data?: unknown): void {
    this.fire('connect_error', Object.assign(new Error(message), { data }));
  }

  fire(event: string, ...args: unknown[]): void {
    for (const h of this.handlers.get(event) ?? []) h(...args);
  }

  requestsOf(event: string): unknown[] {
    return this.requests.filter((r) => r.event === event).map((r) => r.payload);
  }
}

/** A factory that hands out one FakeSocket per client and keeps it for the test. */
export function fakeSocketFactory(respond: Responder): {
  factory: SocketFactory;
  socket: () => FakeSocket;
} {
  let socket: FakeSocket | null = null;
  return {
    factory: (url, options) => {
      socket = new FakeSocket(url, options, respond);
      return socket;
    },
    socket: () => {
      if (socket === null) throw new Error('no socket was created');
      return socket;
    },
  };
}
