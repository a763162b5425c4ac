import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Histogram } from 'prom-client';
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
import { KeyedBatcher } from '../common/concurrency/keyed-batcher';
import { DomainError } from '../common/errors/domain-error';
import { TimeSource } from '../common/time/time-source';
import { Env } from '../config/env.validation';
import { METRICS } from '../metrics/metric-names';
import { SessionStore, StoredSession } from '../state/session-store';
import { SessionTtlPolicy } from '../state/session-ttl.policy';
import { SessionCache } from './session-cache';
import { SessionChangeFeed } from './session-change-feed';
import { SessionLoader } from './session-loader';

export interface CommandOutcome {
  view: SessionView;
  /** The state `view` shows (settled to its instant). */
  state: ClockState;
  expired_participant_id?: string;
  /** The versions this command committed (none for a read with nothing to settle). */
  steps: Step[];
}

/**
 * What became of one command: its outcome or its error, and, when it committed, the hand-over
 * of its change to the listeners, which its answer waits for.
 */
type Decided = ({ outcome: CommandOutcome } | { error: unknown }) & { published?: Promise<void> };

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
 * version, and on a lost race apply it again to the newer state the CAS returned. Then hand
 * the change to the listeners. The commands of one session take turns on this instance, and
 * the commands that arrive during a turn make the next one together: applied in order, each to
 * the state the one before it left, and written with one CAS. So a session that many clients
 * switch at once neither loses races to its own instance nor pays a round trip and a queue job
 * per command (across instances, the CAS still decides). A session commits at most
 * RATE_LIMIT_SWITCH_PER_SESSION switches a second, whoever sends them (REST or socket); the
 * compare-and-set counts them itself.
 */
@Injectable()
export class SessionsService {
  private readonly switchesPerSecond: number;
  private readonly turns = new KeyedBatcher<Command, Decided>(
    (sessionId, commands) => this.applyInOrder(sessionId, commands, true),
    MAX_TURN,
  );

  constructor(
    private readonly store: SessionStore,
    private readonly loader: SessionLoader,
    private readonly cache: SessionCache,
    private readonly ttl: SessionTtlPolicy,
    private readonly time: TimeSource,
    private readonly feed: SessionChangeFeed,
    @InjectMetric(METRICS.switchDuration) private readonly switchDuration: Histogram,
    config: ConfigService<Env, true>,
  ) {
    this.switchesPerSecond = config.get('RATE_LIMIT_ENABLED', { infer: true })
      ? config.get('RATE_LIMIT_SWITCH_PER_SESSION', { infer: true })
      : 0;
  }

  async create(input: CreateSessionInput): Promise<SessionView> {
    const now = this.time.now();
    const { state, step } = createSession(input, now);
    await this.loader.assertIdIsFree(state.session_id);
    if (!(await this.store.create(state, this.ttl.ttlMs(state, now)))) {
      throw new DomainError('SESSION_EXISTS', `session ${state.session_id} already exists`);
    }
    this.cache.set(state);
    const view = toView(state, now);
    const change = {
      sessionId: state.session_id,
      before: null,
      after: state,
      steps: [step],
      view,
      now,
    };
    await this.feed.publish({ ...change, watched: false });
    return view;
  }

  /** The state as of now, read from Redis: clocks that ran out since are settled (and kept). */
  async get(sessionId: string): Promise<SessionView> {
    return (await this.execute(sessionId, { kind: 'settle' })).view;
  }

  async execute(sessionId: string, command: Command): Promise<CommandOutcome> {
    if (command.kind !== 'switch') return this.run(sessionId, command);
    const stop = this.switchDuration.startTimer();
    try {
      return await this.run(sessionId, command);
    } finally {
      stop();
    }
  }

  /**
   * A command waits for the session's turn; a read needs none (it decides on Redis, not on the
   * remembered state). The turn ends when the changes are handed to the listeners, which queue
   * their jobs and pushes in commit order: the next turn does not wait for those to be sent.
   */
  private async run(sessionId: string, command: Command): Promise<CommandOutcome> {
    const decided =
      command.kind === 'settle'
        ? (await this.applyInOrder(sessionId, [command], false))[0]
        : await this.turns.submit(sessionId, command);
    await decided.published;
    if ('error' in decided) throw decided.error;
    return decided.outcome;
  }

  /**
   * Applies the commands one after another, each to the state the one before it left, all at
   * the same instant, and writes the result with one compare-and-set: one new version per step
   * (each command's steps its own), handed to the listeners command by command. On a lost race
   * everything is decided again on the newer state.
   */
  private async applyInOrder(
    sessionId: string,
    commands: Command[],
    fromCache: boolean,
  ): Promise<Decided[]> {
    const cached = fromCache ? this.cache.get(sessionId) : undefined;
    let current = cached ?? (await this.loader.load(sessionId));
    let trusted = cached === undefined;
    const decided: Decided[] = new Array<Decided>(commands.length);
    let pending = commands.map((command, index) => ({ command, index }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      const now = this.time.now();
      let state = current;
      let changed = 0;
      let switches = 0;
      const results = pending.map(({ command, index }) => {
        const result = applyCommand(state, command, now);
        if (result.steps.length > 0) {
          state = result.state;
          changed += 1;
          if (command.kind === 'switch') switches += 1;
        }
        return { index, result };
      });
      // A refusal or a no-op decided on a guess must be decided again on the truth.
      if (!trusted && changed < results.length) {
        current = await this.loader.load(sessionId);
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
          const published = this.feed.publish({
            sessionId,
            before: current,
            after: r.result.state,
            steps: r.result.steps,
            view,
            now,
            watched: cas.watched,
            ...(superseded ? { superseded } : { stored: cas.stored }),
          });
          // A refusal that settled clocks first answers once what was settled is recorded.
          decided[r.index] = { ...this.decide(r.result, now, view), published };
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
      current = await this.newer(sessionId, cas.current);
      trusted = true;
    }
    return decided;
  }

  /** Deletes the session; deleting one that does not exist is not an error. */
  async delete(sessionId: string): Promise<void> {
    const now = this.time.now();
    this.cache.delete(sessionId);
    const last = await this.store.delete(sessionId, this.ttl.retentionMs);
    if (last) await this.feed.publishDeletion({ sessionId, last, version: last.version + 1, now });
  }

  private decide(result: CommandResult, now: number, view?: SessionView): Decided {
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
  private async newer(sessionId: string, stored: StoredSession): Promise<ClockState> {
    if (stored.kind === 'live') return stored.state;
    this.cache.delete(sessionId);
    if (stored.kind === 'missing') return this.loader.load(sessionId);
    throw DomainError.notFound(sessionId);
  }
}
