import { Backoff } from './backoff';
import { DEFAULTS, RECONNECT_CAP_MS, type ClientOptions } from './client-options';
import {
  Connection,
  defaultSocketFactory,
  type ConnectionListener,
  type ServerEvent,
} from './connection';
import { asErrorPayload, SyncKairosError } from './errors';
import { monotonicClock, type LocalClock } from './monotonic-clock';
import { OffsetEstimator } from './offset-estimator';
import { RestClient, sessionPath } from './rest-client';
import { EstimatedServerClock, type ClockOffset } from './server-clock-estimate';
import { SessionWatch, type WatchOwner } from './session-watch';
import { TimeSync } from './time-sync';
import { WatchRegistry } from './watch-registry';
import type {
  AddTimeRequest,
  BulkStartItem,
  CommandOptions,
  CreateSessionRequest,
  ErrorPayload,
  SessionState,
  StartRequest,
  SwitchOptions,
  SwitchRequest,
  SwitchResult,
  WatchCallbacks,
} from './types';

const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;

type ResolvedOptions = Required<Omit<ClientOptions, 'token' | 'clock' | 'random'>> &
  Pick<ClientOptions, 'token'> &
  typeof DEFAULTS;

/**
 * A SyncKairos client: the server's clock estimated on a monotonic local clock, watches that
 * survive disconnects, and every command over REST (a switch also over the socket).
 */
export class SyncKairosClient implements ConnectionListener, WatchOwner {
  private readonly options: ResolvedOptions;
  private readonly local: LocalClock;
  private readonly clock: EstimatedServerClock;
  private readonly rest: RestClient;
  private readonly timeSync: TimeSync;
  private readonly random: () => number;
  private readonly watches: WatchRegistry;
  private connection: Connection | null = null;
  private onVisible: (() => void) | null = null;
  private closed = false;

  constructor(options: ClientOptions) {
    this.options = {
      ...DEFAULTS,
      fetch: globalThis.fetch?.bind(globalThis),
      socketFactory: defaultSocketFactory,
      ...stripUndefined(options),
      url: options.url.replace(/\/+$/, ''),
    };
    this.options.reconnectDelayMaxMs = Math.min(this.options.reconnectDelayMaxMs, RECONNECT_CAP_MS);
    this.local = options.clock ?? monotonicClock();
    this.random = options.random ?? Math.random;
    this.clock = new EstimatedServerClock(
      this.local,
      new OffsetEstimator(this.options),
      this.options,
    );
    this.rest = new RestClient({
      baseUrl: this.options.url,
      token: this.options.token,
      timeoutMs: this.options.requestTimeoutMs,
      fetch: this.options.fetch,
    });
    this.timeSync = new TimeSync(
      this.local,
      this.clock,
      this.rest,
      () => this.connection,
      this.options,
    );
    this.watches = new WatchRegistry(this.backoff(), this.options.requestTimeoutMs);
  }

  /** Estimated server time, epoch ms: never goes back, corrections are slewed in. */
  now(): number {
    return this.clock.now();
  }

  /** Whether the socket is up (it is opened by the first watch and kept up from then on). */
  get connected(): boolean {
    return this.connection?.connected === true;
  }

  get offset(): ClockOffset {
    return this.clock.offset();
  }

  /** A sync round now; it also runs on connect, periodically, and when a tab comes back. */
  sync(): Promise<ClockOffset> {
    this.listenForVisibility();
    return this.timeSync.sync();
  }

  /** Watches a session over the socket; the watch is joined again after every reconnect. */
  watch(sessionId: string, callbacks: WatchCallbacks = {}): SessionWatch {
    if (this.closed)
      throw new SyncKairosError(0, { code: 'CLIENT_CLOSED', message: 'the client is closed' });
    assertId(sessionId);
    const w = new SessionWatch(sessionId, this, callbacks);
    const first = this.watches.add(w);
    if (!this.clock.isSynced) this.sync().catch(() => undefined);
    this.openConnection();
    if (first && this.connection?.connected) void this.watches.join(this.connection, sessionId);
    return w;
  }

  unwatch(w: SessionWatch): void {
    if (!this.watches.remove(w) || !this.connection?.connected) return;
    this.connection
      .request('session:leave', { session_id: w.sessionId }, this.options.requestTimeoutMs)
      .catch(() => undefined);
  }

  // ------------------------------------------------------------------ commands (REST)

  async create(body: CreateSessionRequest, options?: CommandOptions): Promise<SessionState> {
    return this.command({ method: 'POST', path: '/v1/sessions', body, options }, body.session_id);
  }

  async get(sessionId: string): Promise<SessionState> {
    return this.command({ method: 'GET', path: sessionPath(assertId(sessionId)) }, sessionId);
  }

  async start(
    sessionId: string,
    body?: StartRequest,
    options?: CommandOptions,
  ): Promise<SessionState> {
    return this.action(sessionId, 'start', body, options);
  }

  /**
   * Starts up to 500 sessions at one instant (a tournament round): `at_ms`, or the instant the
   * request arrives. Each answers for itself; the states also go to their watches.
   */
  async startMany(
    sessionIds: string[],
    body: StartRequest = {},
    options?: CommandOptions,
  ): Promise<BulkStartItem[]> {
    sessionIds.forEach(assertId);
    const answer = await this.rest.request<{ results: BulkStartItem[] }>({
      method: 'POST',
      path: '/v1/sessions/start',
      body: { session_ids: sessionIds, ...body },
      options,
    });
    for (const item of answer.results) if (item.data) this.watches.deliver(item.data);
    return answer.results;
  }

  async switch(
    sessionId: string,
    body: SwitchRequest = {},
    options: SwitchOptions = {},
  ): Promise<SwitchResult> {
    if (options.via !== 'socket') return this.action(sessionId, 'switch', body, options);
    const payload = {
      session_id: assertId(sessionId),
      ...body,
      ...(options.idempotencyKey !== undefined && { idempotency_key: options.idempotencyKey }),
    };
    const connection = await this.connectedSocket();
    const ack = (await connection.request(
      'session:switch',
      payload,
      this.options.requestTimeoutMs,
    )) as {
      data?: SwitchResult;
      error?: unknown;
    };
    if (ack?.data === undefined)
      throw new SyncKairosError(0, asErrorPayload(ack?.error, 'no state in the answer'));
    this.watches.deliver(ack.data);
    return ack.data;
  }

  async pause(sessionId: string, options?: CommandOptions): Promise<SessionState> {
    return this.action(sessionId, 'pause', undefined, options);
  }

  async resume(sessionId: string, options?: CommandOptions): Promise<SessionState> {
    return this.action(sessionId, 'resume', undefined, options);
  }

  async complete(sessionId: string, options?: CommandOptions): Promise<SessionState> {
    return this.action(sessionId, 'complete', undefined, options);
  }

  async cancel(sessionId: string, options?: CommandOptions): Promise<SessionState> {
    return this.action(sessionId, 'cancel', undefined, options);
  }

  async addTime(
    sessionId: string,
    body: AddTimeRequest,
    options?: CommandOptions,
  ): Promise<SessionState> {
    return this.action(sessionId, 'add-time', body, options);
  }

  async delete(sessionId: string, options?: CommandOptions): Promise<void> {
    await this.rest.request<void>({
      method: 'DELETE',
      path: sessionPath(assertId(sessionId)),
      options,
    });
  }

  /** Stops everything: watches, the socket, the resync schedule. */
  close(): void {
    this.closed = true;
    this.watches.closeAll();
    this.timeSync.stop();
    this.connection?.close();
    if (this.onVisible !== null)
      globalThis.document?.removeEventListener('visibilitychange', this.onVisible);
  }

  // ------------------------------------------------------------------ the socket's side

  onConnected(): void {
    this.timeSync.kick();
    if (this.connection !== null) this.watches.rejoinAll(this.connection);
  }

  onConnectError(error: ErrorPayload): void {
    this.watches.errorAll(error);
  }

  onServerEvent(event: ServerEvent, payload: unknown): void {
    this.watches.route(event, payload);
  }

  // ------------------------------------------------------------------ internals

  private async action(
    sessionId: string,
    action: string,
    body: unknown,
    options?: CommandOptions,
  ): Promise<SessionState> {
    return this.command(
      { method: 'POST', path: sessionPath(assertId(sessionId), action), body: body ?? {}, options },
      sessionId,
    );
  }

  /** A REST command whose answer, a state, also goes to the session's watches. */
  private async command<T extends SessionState>(
    spec: Parameters<RestClient['request']>[0],
    sessionId: string,
  ): Promise<T> {
    const state = await this.rest.request<T>(spec);
    if (state?.session_id === sessionId) this.watches.deliver(state);
    return state;
  }

  private openConnection(): void {
    if (this.connection === null) {
      this.connection = new Connection(
        {
          url: this.options.url,
          socket: {
            transports: this.options.transports,
            auth: this.options.token === undefined ? {} : { token: this.options.token },
          },
          factory: this.options.socketFactory,
          backoff: this.backoff(),
        },
        this,
      );
    }
    this.listenForVisibility();
    this.connection.open();
  }

  /** The socket, connected (opened on demand); fails after the request timeout. */
  private async connectedSocket(): Promise<Connection> {
    this.openConnection();
    const connection = this.connection as Connection;
    const until = this.local.now() + this.options.requestTimeoutMs;
    while (!connection.connected) {
      if (this.local.now() > until || this.closed) {
        throw new SyncKairosError(0, {
          code: 'TIMEOUT',
          message: 'the socket did not connect in time',
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return connection;
  }

  private backoff(): Backoff {
    return new Backoff(
      this.options.reconnectDelayMs,
      this.options.reconnectDelayMaxMs,
      this.random,
    );
  }

  /** A tab that comes back to the foreground resyncs: timers may have slept meanwhile. */
  private listenForVisibility(): void {
    const doc = globalThis.document;
    if (this.onVisible !== null || doc === undefined) return;
    this.onVisible = () => {
      if (doc.visibilityState === 'visible') this.timeSync.kick();
    };
    doc.addEventListener('visibilitychange', this.onVisible);
  }
}

function assertId(sessionId: string): string {
  if (typeof sessionId !== 'string' || !SESSION_ID.test(sessionId)) {
    throw new SyncKairosError(0, {
      code: 'VALIDATION_ERROR',
      message: 'session id must be 1-64 characters of [A-Za-z0-9_-]',
    });
  }
  return sessionId;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
