import { io, Socket } from 'socket.io-client';

/** A real socket.io-client that records every event it receives. */
export class Watcher {
  readonly socket: Socket;
  readonly received: { event: string; payload: any; at: number }[] = [];

  constructor(
    url: string,
    opts: { query?: Record<string, string>; auth?: Record<string, unknown> } = {},
  ) {
    this.socket = io(url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ...opts,
    });
    this.socket.onAny((event: string, payload: unknown) => {
      this.received.push({ event, payload, at: Date.now() });
    });
  }

  connected(): Promise<void> {
    if (this.socket.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', reject);
    });
  }

  of(event: string): any[] {
    return this.received.filter((r) => r.event === event).map((r) => r.payload);
  }

  /** Resolves with the first `event` (already received or yet to come) that matches. */
  next(
    event: string,
    match: (payload: any) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<any> {
    const seen = this.of(event).find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.socket.off(event, handler);
        reject(new Error(`no ${event} within ${timeoutMs} ms`));
      }, timeoutMs);
      const handler = (payload: unknown) => {
        if (!match(payload)) return;
        clearTimeout(timer);
        this.socket.off(event, handler);
        resolve(payload);
      };
      this.socket.on(event, handler);
    });
  }

  request<T = any>(event: string, ...args: unknown[]): Promise<T> {
    return this.socket.timeout(5000).emitWithAck(event, ...args) as Promise<T>;
  }

  close(): void {
    this.socket.close();
  }
}
