import type { Backoff } from './backoff';
import type { Connection, ServerEvent } from './connection';
import { asErrorPayload, RETRYABLE_CODES } from './errors';
import type { SessionWatch } from './session-watch';
import type {
  ErrorPayload,
  SessionDeletedPayload,
  SessionLowTimePayload,
  SessionState,
  SessionStatePayload,
  SessionTimeoutPayload,
  SwitchResult,
} from './types';

/**
 * The client's watches by session: what arrives for a session (a push, a join's answer, a
 * command's answer) goes to each of its watches, and joins are (re)made and retried here.
 */
export class WatchRegistry {
  private readonly watches = new Map<string, Set<SessionWatch>>();
  private readonly retries = new Map<string, ReturnType<typeof setTimeout>>();
  private closed = false;

  constructor(
    private readonly backoff: Backoff,
    private readonly timeoutMs: number,
  ) {}

  /** Adds a watch; true when it is the session's first (the session must be joined). */
  add(w: SessionWatch): boolean {
    const set = this.watches.get(w.sessionId) ?? new Set<SessionWatch>();
    // A session already watched: the new watch starts from the newest state held.
    const held = [...set].reduce<SessionState | null>(
      (best, other) => (other.state && other.version > (best?.version ?? 0) ? other.state : best),
      null,
    );
    set.add(w);
    this.watches.set(w.sessionId, set);
    if (held !== null) queueMicrotask(() => w.offerState(held));
    return set.size === 1;
  }

  /** Removes a watch; true when it was the session's last (the session may be left). */
  remove(w: SessionWatch): boolean {
    const set = this.watches.get(w.sessionId);
    if (set === undefined || !set.delete(w) || set.size > 0) return false;
    this.watches.delete(w.sessionId);
    return true;
  }

  /** After a (re)connect: every session is joined again, with fresh join backoff. */
  rejoinAll(connection: Connection): void {
    this.backoff.reset();
    for (const sessionId of this.watches.keys()) void this.join(connection, sessionId);
  }

  /** Joins a session's room; the snapshot comes in the answer (and as `session:state`). */
  async join(connection: Connection, sessionId: string): Promise<void> {
    let ack: { state?: SessionState; error?: unknown } | null;
    try {
      ack = (await connection.request(
        'session:join',
        { session_id: sessionId },
        this.timeoutMs,
      )) as typeof ack;
    } catch {
      return; // no answer: the socket dropped, and the reconnect joins again
    }
    if (ack?.state !== undefined) {
      this.deliver(ack.state);
      return;
    }
    const error = asErrorPayload(ack?.error, 'join refused');
    for (const w of this.of(sessionId)) w.offerError(error);
    if (RETRYABLE_CODES.has(error.code)) this.retryJoin(connection, sessionId);
  }

  /** A state from anywhere: each watch of its session takes it if it is newer. */
  deliver(state: SessionState): void {
    const { expired_participant_id: _, ...plain } = state as SwitchResult;
    for (const w of this.of(state.session_id)) w.offerState(plain);
  }

  /** A server event, to the watches of the session it names (`session:error` to all). */
  route(event: ServerEvent, payload: unknown): void {
    if (typeof payload !== 'object' || payload === null) return;
    if (event === 'session:error') {
      this.errorAll(asErrorPayload(payload, 'session error'));
      return;
    }
    for (const w of this.of((payload as { session_id?: string }).session_id ?? '')) {
      if (event === 'session:state') w.offerState((payload as SessionStatePayload).state);
      else if (event === 'session:timeout') w.offerTimeout(payload as SessionTimeoutPayload);
      else if (event === 'session:low_time') w.offerLowTime(payload as SessionLowTimePayload);
      else w.offerDeleted(payload as SessionDeletedPayload);
    }
  }

  errorAll(error: ErrorPayload): void {
    for (const set of this.watches.values()) for (const w of [...set]) w.offerError(error);
  }

  closeAll(): void {
    this.closed = true;
    for (const timer of this.retries.values()) clearTimeout(timer);
    this.retries.clear();
    for (const set of [...this.watches.values()]) for (const w of [...set]) w.close();
  }

  private of(sessionId: string): SessionWatch[] {
    return [...(this.watches.get(sessionId) ?? [])];
  }

  private retryJoin(connection: Connection, sessionId: string): void {
    if (this.retries.has(sessionId) || this.closed) return;
    const timer = setTimeout(() => {
      this.retries.delete(sessionId);
      if (this.watches.has(sessionId) && connection.connected)
        void this.join(connection, sessionId);
    }, this.backoff.next());
    this.retries.set(sessionId, timer);
  }
}
