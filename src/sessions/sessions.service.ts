import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  applyCommand,
  CommandResult,
  ClockState,
  Command,
  CreateSessionInput,
  Step,
  createSession,
  SessionView,
  toView,
} from '@synckairos/clock';
import { AuditBacklog } from '../audit/audit-backlog';
import { KeyedBatcher } from '../common/concurrency/keyed-batcher';
import { DomainError } from '../common/errors/domain-error';
import { TimeSource } from '../common/time/time-source';
import { Env } from '../config/env.validation';
import { SessionChange, SessionDeletion } from '../state/session-change';
import { IdempotencyRecord, outboxOf, SessionStore, StoredSession } from '../state/session-store';
import { SessionTtlPolicy } from '../state/session-ttl.policy';
import { SessionCache } from './session-cache';
import { SessionLoader } from './session-loader';
import { FirstOutcome, Idempotency, IdempotentRequest, replay } from './idempotency';

export interface CommandOutcome {
  view: SessionView;
  /** The state `view` shows (settled to its instant); absent when replayed for a repeated key. */
  state?: ClockState;
  expired_participant_id?: string;
  /** The versions this command committed (none for a read with nothing to settle). */
  steps: Step[];
}

/**
 * What became of one command: its outcome or its error (a refusal may have settled clocks
 * first), and the changes it committed, oldest first (a restore from the archive, then its own),
 * for the caller to hand to the commit pipeline. Nothing is decided when it throws.
 */
export type Decided = ({ outcome: CommandOutcome } | { error: unknown }) & {
  changes: SessionChange[];
};

/** A command's decision before the turn's restore is added: its own change, if it committed. */
type Decision = ({ outcome: CommandOutcome } | { error: unknown }) & { change?: SessionChange };

/** What a deletion committed: a restore it needed first (if any), then the deletion itself. */
export interface Deleted {
  changes: SessionChange[];
  deletion?: SessionDeletion;
}

/** A command as it waits for its session's turn, with its Idempotency-Key if it has one. */
interface Submitted {
  command: Command;
  idem?: IdempotentRequest;
}

/** The most commands of one session written with one compare-and-set. */
const MAX_TURN = 64;

/**
 * A compare-and-set only fails when another writer succeeded, so the system always makes
 * progress; this bound only stops a pathological loop.
 */
const MAX_ATTEMPTS = 1000;

/**
 * Runs every change the same way, whoever asks (REST, sockets, the deadline worker): take the
 * state, let the clock apply the command at `now`, write it with a compare-and-set on the
 * version, and on a lost race apply it again to the newer state the CAS returned. Then return
 * the changes, which the caller (CommandService) hands to the commit pipeline. The commands of
 * one session take turns on this instance, and the commands that arrive during a turn make the
 * next one together: applied in order, each to the state the one before it left, and written
 * with one CAS. So a session that many clients switch at once neither loses races to its own
 * instance nor pays a round trip and a queue job per command (across instances, the CAS still
 * decides). A session commits at most RATE_LIMIT_SWITCH_PER_SESSION switches a second, whoever
 * sends them (REST or socket); the compare-and-set counts them itself.
 */
@Injectable()
export class SessionsService {
  private readonly switchesPerSecond: number;
  private readonly turns = new KeyedBatcher<Submitted, Decided>(
    (sessionId, items) => this.applyInOrder(sessionId, items, true),
    MAX_TURN,
  );

  constructor(
    private readonly store: SessionStore,
    private readonly loader: SessionLoader,
    private readonly cache: SessionCache,
    private readonly ttl: SessionTtlPolicy,
    private readonly time: TimeSource,
    private readonly idempotency: Idempotency,
    private readonly backlog: AuditBacklog,
    config: ConfigService<Env, true>,
  ) {
    this.switchesPerSecond = config.get('RATE_LIMIT_ENABLED', { infer: true })
      ? config.get('RATE_LIMIT_SWITCH_PER_SESSION', { infer: true })
      : 0;
  }

  async create(input: CreateSessionInput, idempotencyKey?: string): Promise<Decided> {
    this.backlog.assertRoom();
    if (idempotencyKey === undefined) return this.createOnce(input);
    const req = this.idempotency.request(input.session_id, 'create', idempotencyKey, input);
    return this.once(req, () => this.createOnce(input, req));
  }

  private async createOnce(input: CreateSessionInput, req?: IdempotentRequest): Promise<Decided> {
    const now = this.time.trustedNow();
    const { state, step } = createSession(input, now);
    await this.loader.assertIdIsFree(state.session_id);
    const view = toView(state, now);
    const record = req ? this.idempotency.record(req, { view }) : undefined;
    const outbox = outboxOf(state.session_id, [step], now, null);
    const ttlMs = this.ttl.ttlMs(state, now);
    if (!(await this.store.create(state, ttlMs, record ? [record] : [], outbox))) {
      throw new DomainError('SESSION_EXISTS', `session ${state.session_id} already exists`);
    }
    this.cache.set(state);
    const change = {
      sessionId: state.session_id,
      before: null,
      after: state,
      steps: [step],
      view,
      now,
      watched: false,
    };
    return { outcome: { view, state, steps: [step] }, changes: [change] };
  }

  async execute(sessionId: string, command: Command, idempotencyKey?: string): Promise<Decided> {
    // Clients wait while the audit backlog is full; settling (reads, deadlines) goes on.
    if (command.kind !== 'settle') this.backlog.assertRoom();
    if (idempotencyKey === undefined) return this.run(sessionId, { command });
    const idem = this.idempotency.request(sessionId, command.kind, idempotencyKey, asked(command));
    return this.once(idem, () => this.run(sessionId, { command, idem }));
  }

  /**
   * Runs `attempt` once per Idempotency-Key: a retry gets the first decided outcome (the steps
   * it committed are not repeated); an undecided one (503) lets the next attempt run.
   */
  private async once(req: IdempotentRequest, attempt: () => Promise<Decided>): Promise<Decided> {
    const first = await this.idempotency.claim(req);
    if (first) return { outcome: { ...replay(first), steps: [] }, changes: [] };
    let decided: Decided;
    try {
      decided = await attempt();
    } catch (err) {
      await this.keepError(req, err);
      throw err;
    }
    if ('error' in decided) {
      await this.keepError(req, decided.error);
      return decided;
    }
    // A commit wrote its record with the state; an outcome that changed nothing is kept now.
    const { outcome } = decided;
    if (outcome.steps.length === 0) {
      const record = this.idempotency.record(req, {
        view: outcome.view,
        ...(outcome.expired_participant_id !== undefined
          ? { expired_participant_id: outcome.expired_participant_id }
          : {}),
      });
      if (record) await this.idempotency.save([record]);
    }
    return decided;
  }

  /** A domain error is the key's first outcome; any other lets the next attempt run. */
  private async keepError(req: IdempotentRequest, err: unknown): Promise<void> {
    const record = this.idempotency.recordError(req, err);
    if (record) await this.idempotency.save([record]);
    else await this.idempotency.release(req);
  }

  /**
   * A command waits for the session's turn; a read needs none (it decides on Redis, not on the
   * remembered state). The turn ends when its changes are decided: their callers hand them to
   * the pipeline before the next turn's compare-and-set can answer, so jobs and pushes still
   * go out in commit order, and the next turn does not wait for them to be sent.
   */
  private async run(sessionId: string, item: Submitted): Promise<Decided> {
    return item.command.kind === 'settle'
      ? (await this.applyInOrder(sessionId, [item], false))[0]
      : this.turns.submit(sessionId, item);
  }

  /**
   * Applies the commands one after another, each to the state the one before it left, all at
   * the same instant, and writes the result with one compare-and-set: one new version per step
   * (each command's steps its own), one change per command. On a lost race everything is
   * decided again on the newer state. A restore from the archive goes first, with the first
   * command's changes.
   */
  private async applyInOrder(
    sessionId: string,
    commands: Submitted[],
    fromCache: boolean,
  ): Promise<Decided[]> {
    const restored: SessionChange[] = [];
    const load = async () => {
      const loaded = await this.loader.load(sessionId);
      if (loaded.restored) restored.push(loaded.restored);
      return loaded.state;
    };
    const decided = await this.decideInOrder(sessionId, commands, fromCache, load);
    return decided.map(({ change, ...d }, i) => ({
      ...d,
      changes: [...(i === 0 ? restored : []), ...(change ? [change] : [])],
    }));
  }

  private async decideInOrder(
    sessionId: string,
    commands: Submitted[],
    fromCache: boolean,
    load: () => Promise<ClockState>,
  ): Promise<Decision[]> {
    const cached = fromCache ? this.cache.get(sessionId) : undefined;
    let current = cached ?? (await load());
    let trusted = cached === undefined;
    const decided: Decision[] = new Array<Decision>(commands.length);
    let pending = commands.map(({ command, idem }, index) => ({ command, idem, index }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      const now = this.time.trustedNow();
      let state = current;
      let changed = 0;
      let switches = 0;
      const records: IdempotencyRecord[] = [];
      const results = pending.map(({ command, idem, index }) => {
        const result = applyCommand(state, command, now);
        if (result.steps.length > 0) {
          state = result.state;
          changed += 1;
          if (command.kind === 'switch') switches += 1;
          const record = idem && this.idempotency.record(idem, firstOutcomeOf(result, now));
          if (record) records.push(record);
        }
        return { index, result };
      });
      // A refusal or a no-op decided on a guess must be decided again on the truth.
      if (!trusted && changed < results.length) {
        current = await load();
        trusted = true;
        continue;
      }
      if (changed === 0) {
        this.cache.set(current);
        for (const r of results) decided[r.index] = this.decide(r.result, now);
        return decided;
      }
      const cas = await this.store.compareAndSet(
        current.version,
        state,
        this.ttl.ttlMs(state, now),
        switches > 0 ? this.switchesPerSecond : 0,
        switches,
        records,
        outboxOf(
          sessionId,
          results.flatMap((r) => r.result.steps),
          now,
          current,
        ),
      );
      if (cas.ok) {
        this.cache.set(state);
        for (const r of results) {
          if (r.result.steps.length === 0) {
            decided[r.index] = this.decide(r.result, now);
            continue;
          }
          const view = toView(r.result.state, now);
          const superseded = r.result.state !== state;
          const change: SessionChange = {
            sessionId,
            before: current,
            after: r.result.state,
            steps: r.result.steps,
            view,
            now,
            watched: cas.watched,
            ...(superseded ? { superseded } : { stored: cas.stored }),
          };
          // A refusal that settled clocks first answers once what was settled is recorded.
          decided[r.index] = { ...this.decide(r.result, now, view), change };
        }
        return decided;
      }
      if ('retryAfterMs' in cas) {
        // The first switches that still fit in this second go on, with the other commands;
        // the rest wait for the next second.
        const limited = this.switchLimited(cas.retryAfterMs);
        let room = cas.room;
        pending = pending.filter(({ command, index }) => {
          if (command.kind !== 'switch' || room-- > 0) return true;
          decided[index] = { error: limited };
          return false;
        });
        continue;
      }
      if (attempt >= MAX_ATTEMPTS)
        throw new DomainError('UNAVAILABLE', 'session is too busy, try again');
      current = await this.newer(sessionId, cas.current, load);
      trusted = true;
    }
    return decided;
  }

  /**
   * Deletes the session; deleting one that does not exist is not an error. The deletion is
   * acknowledged only once the archive holds it, so a Redis loss cannot bring the session
   * back; if the archive cannot take it, the session is put back and the answer is 503.
   */
  async delete(sessionId: string, idempotencyKey?: string): Promise<Deleted> {
    if (idempotencyKey === undefined) return this.deleteOnce(sessionId);
    const req = this.idempotency.request(sessionId, 'delete', idempotencyKey, {});
    const first = await this.idempotency.claim(req);
    if (first) return { changes: [] };
    let deleted: Deleted;
    try {
      deleted = await this.deleteOnce(sessionId);
    } catch (err) {
      await this.idempotency.release(req);
      throw err;
    }
    await this.idempotency.save([this.idempotency.record(req, {})!]);
    return deleted;
  }

  private async deleteOnce(sessionId: string): Promise<Deleted> {
    const now = this.time.trustedNow();
    this.cache.delete(sessionId);
    const changes: SessionChange[] = [];
    let last = await this.store.delete(sessionId, this.ttl.retentionMs);
    if (!last) {
      // Unknown to Redis: only the archive can say that no session of that id lives on.
      const found = await this.loader.find(sessionId);
      if (!found) return { changes };
      if (found.restored) changes.push(found.restored);
      last = await this.store.delete(sessionId, this.ttl.retentionMs);
      if (!last) return { changes };
    }
    const deletion = { sessionId, last, version: last.version + 1, now };
    try {
      await this.loader.recordDeletion(deletion);
    } catch (err) {
      await this.store.undelete(last, this.ttl.ttlMs(last, this.time.now()));
      throw err;
    }
    return { changes, deletion };
  }

  private decide(result: CommandResult, now: number, view?: SessionView): Decision {
    if (result.error) return { error: result.error };
    const outcome: CommandOutcome = {
      view: view ?? toView(result.state, now),
      state: result.state,
      steps: view ? result.steps : [],
    };
    if (result.expired_participant_id !== undefined) {
      outcome.expired_participant_id = result.expired_participant_id;
    }
    return { outcome };
  }

  private switchLimited(retryAfterMs: number): DomainError {
    const retryAfter = Math.max(1, Math.ceil(retryAfterMs / 1000));
    return DomainError.rateLimited(
      `at most ${this.switchesPerSecond} switches per second on a session; retry in ${retryAfter} s`,
      this.switchesPerSecond,
      retryAfter,
    );
  }

  /** What the failed CAS found: the newer state, or a session gone (maybe to be restored). */
  private async newer(
    sessionId: string,
    stored: StoredSession,
    load: () => Promise<ClockState>,
  ): Promise<ClockState> {
    if (stored.kind === 'live') return stored.state;
    this.cache.delete(sessionId);
    if (stored.kind === 'missing') return load();
    throw DomainError.notFound(sessionId);
  }
}

/** What a committed command answers, as its Idempotency-Key keeps it. */
function firstOutcomeOf(result: CommandResult, now: number): FirstOutcome {
  if (result.error) {
    const { code, message, details } = result.error;
    return { error: { code, message, details } };
  }
  const first: FirstOutcome = { view: toView(result.state, now) };
  if (result.expired_participant_id !== undefined)
    first.expired_participant_id = result.expired_participant_id;
  return first;
}

/** What a command asks for: a start's `accepted_at` is when this attempt arrived, not part of it. */
function asked(command: Command): Command {
  if (command.kind !== 'start' || command.accepted_at === undefined) return command;
  const { accepted_at: _, ...rest } = command;
  return rest;
}
