import { liveView, remainingIn } from './live-view';
import type {
  ErrorPayload,
  SessionDeletedPayload,
  SessionLowTimePayload,
  SessionState,
  SessionTimeoutPayload,
  WatchCallbacks,
} from './types';

/** What a watch needs of its client. */
export interface WatchOwner {
  now(): number;
  unwatch(watch: SessionWatch): void;
}

/**
 * One session watched: the newest state seen (older versions are dropped, so callbacks see
 * versions strictly increasing) and its live values at the client's estimated server time.
 */
export class SessionWatch {
  private newest: SessionState | null = null;
  private cache: { at: number; version: number; view: SessionState } | null = null;
  private timeoutsSeen = new Set<string>(); // time-outs and low-time warnings delivered
  private ended = false;

  constructor(
    readonly sessionId: string,
    private readonly owner: WatchOwner,
    private readonly callbacks: WatchCallbacks,
  ) {}

  /** The newest state received (as the server computed it at its `server_time_ms`). */
  get state(): SessionState | null {
    return this.newest;
  }

  get version(): number {
    return this.newest?.version ?? 0;
  }

  /** True once the session was deleted or the watch closed: it is not joined again. */
  get closed(): boolean {
    return this.ended;
  }

  /** The state as the server would answer it now (at `client.now()`); null before the first. */
  live(): SessionState | null {
    if (this.newest === null) return null;
    const at = Math.floor(this.owner.now());
    const c = this.cache;
    if (c !== null && c.at === at && c.version === this.newest.version) return c.view;
    const view = liveView(this.newest, at);
    this.cache = { at, version: this.newest.version, view };
    return view;
  }

  /**
   * Live time left, ms, never below 0: a participant's (its bank, its group's bank, its turn,
   * or the shared countdown), or without an id the running clock's. Null where nothing runs down.
   */
  remaining(participantId?: string): number | null {
    const view = this.live();
    return view === null ? null : remainingIn(view, participantId);
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.owner.unwatch(this);
  }

  /** Takes a state if it is newer than the one held; returns whether it was delivered. */
  offerState(state: SessionState): boolean {
    if (this.ended || state.session_id !== this.sessionId) return false;
    if (state.version <= this.version) return false;
    this.newest = state;
    this.callbacks.onState?.(state);
    return true;
  }

  offerTimeout(payload: SessionTimeoutPayload): void {
    if (this.ended) return;
    const key = `${payload.version}:${payload.kind}:${payload.participant_id ?? ''}:${payload.group_id ?? ''}`;
    if (this.firstSeen(key)) this.callbacks.onTimeout?.(payload);
  }

  offerLowTime(payload: SessionLowTimePayload): void {
    if (this.ended) return;
    if (this.firstSeen(`low:${payload.version}:${payload.at_ms}`))
      this.callbacks.onLowTime?.(payload);
  }

  /** Pushes of one event may come twice (a reconnect): the last 64 are remembered. */
  private firstSeen(key: string): boolean {
    if (this.timeoutsSeen.has(key)) return false;
    this.timeoutsSeen.add(key);
    if (this.timeoutsSeen.size > 64)
      this.timeoutsSeen.delete(this.timeoutsSeen.values().next().value as string);
    return true;
  }

  offerDeleted(payload: SessionDeletedPayload): void {
    if (this.ended) return;
    this.callbacks.onDeleted?.(payload);
    this.close();
  }

  offerError(payload: ErrorPayload): void {
    if (!this.ended) this.callbacks.onError?.(payload);
  }
}
