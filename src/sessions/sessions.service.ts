import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Histogram } from 'prom-client';
import { applyCommand, CommandResult } from '../clock/apply-command';
import { ClockState, Command, CreateSessionInput, Step } from '../clock/clock.types';
import { createSession } from '../clock/create-session';
import { SessionView, toView } from '../clock/session-view';
import { KeyedSerializer } from '../common/concurrency/keyed-serializer';
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
  expired_participant_id?: string;
  /** The versions this command committed (none for a read with nothing to settle). */
  steps: Step[];
}

/** What a command decided; `published` settles when its change's listeners are done. */
interface Applied {
  outcome: CommandOutcome;
  published?: Promise<void>;
}

/**
 * A compare-and-set only fails when another writer succeeded, so the system always makes
 * progress; this bound only stops a pathological loop.
 */
const MAX_ATTEMPTS = 1000;

/**
 * Runs every change the same way, whoever asks (REST, sockets, the deadline worker): take the
 * state, let the clock apply the command at `now`, write it with a compare-and-set on the
 * version, and on a lost race apply it again to the newer state the CAS returned. Then hand
 * the change to the listeners. The commands of one session take turns on this instance: each
 * starts from the state the one before it wrote, so a session that many clients switch at once
 * commits one CAS per command instead of losing races to its own instance (across instances,
 * the CAS still decides). A session commits at most RATE_LIMIT_SWITCH_PER_SESSION switches
 * a second, whoever sends them (REST or socket); the compare-and-set counts them itself.
 */
@Injectable()
export class SessionsService {
  private readonly switchesPerSecond: number;
  private readonly serial = new KeyedSerializer();

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
   * The session's turn lasts until the compare-and-set is decided and the change handed to the
   * listeners (which queue its jobs and pushes in commit order); the next command does not wait
   * for those to be sent. A read needs no turn: it decides on Redis, not on the remembered state.
   */
  private async run(sessionId: string, command: Command): Promise<CommandOutcome> {
    const { outcome, published } =
      command.kind === 'settle'
        ? await this.apply(sessionId, command)
        : await this.serial.run(sessionId, () => this.apply(sessionId, command));
    await published;
    return outcome;
  }

  private async apply(sessionId: string, command: Command): Promise<Applied> {
    const cached = command.kind === 'settle' ? undefined : this.cache.get(sessionId);
    let current = cached ?? (await this.loader.load(sessionId));
    let trusted = cached === undefined;
    for (let attempt = 1; ; attempt++) {
      const now = this.time.now();
      const result = applyCommand(current, command, now);
      if (result.steps.length === 0) {
        // A refusal or a no-op decided on a guess must be decided again on the truth.
        if (!trusted) {
          current = await this.loader.load(sessionId);
          trusted = true;
          continue;
        }
        this.cache.set(current);
        return { outcome: this.answer(result, now) };
      }
      const cas = await this.store.compareAndSet(
        current.version,
        result.state,
        this.ttl.ttlMs(result.state, now),
        command.kind === 'switch' ? this.switchesPerSecond : 0,
      );
      if (cas.ok) {
        this.cache.set(result.state);
        const view = toView(result.state, now);
        const change = {
          sessionId,
          before: current,
          after: result.state,
          steps: result.steps,
          view,
          now,
        };
        const published = this.feed.publish({
          ...change,
          watched: cas.watched,
          stored: cas.stored,
        });
        // A refusal that settled clocks first: what was settled is recorded before it answers.
        if (result.error) await published;
        return { outcome: this.answer(result, now, view), published };
      }
      if ('retryAfterMs' in cas) throw this.switchLimited(cas.retryAfterMs);
      if (attempt >= MAX_ATTEMPTS)
        throw new DomainError('UNAVAILABLE', 'session is too busy, try again');
      current = await this.newer(sessionId, cas.current);
      trusted = true;
    }
  }

  /** Deletes the session; deleting one that does not exist is not an error. */
  delete(sessionId: string): Promise<void> {
    return this.serial.run(sessionId, async () => {
      const now = this.time.now();
      this.cache.delete(sessionId);
      const last = await this.store.delete(sessionId, this.ttl.retentionMs);
      if (last)
        await this.feed.publishDeletion({ sessionId, last, version: last.version + 1, now });
    });
  }

  private answer(result: CommandResult, now: number, view?: SessionView): CommandOutcome {
    if (result.error) throw result.error;
    const outcome: CommandOutcome = {
      view: view ?? toView(result.state, now),
      steps: view ? result.steps : [],
    };
    if (result.expired_participant_id !== undefined) {
      outcome.expired_participant_id = result.expired_participant_id;
    }
    return outcome;
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
