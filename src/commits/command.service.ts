import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { ClockState, Command, CreateSessionInput, SessionView } from '@synckairos/clock';
import { Histogram } from 'prom-client';
import { METRICS } from '../metrics/metric-names';
import { SessionLoader } from '../sessions/session-loader';
import { CommandOutcome, Decided, SessionsService } from '../sessions/sessions.service';
import { CommitPipeline } from './commit-pipeline';

/**
 * The command path, for every caller (REST, sockets, bulk starts, deadlines): the sessions'
 * rules commit (SessionsService), then the commit pipeline hands on what was committed, and
 * only then is the caller answered: a refusal too, after the clocks it settled are handed on.
 */
@Injectable()
export class CommandService {
  constructor(
    private readonly sessions: SessionsService,
    private readonly loader: SessionLoader,
    private readonly pipeline: CommitPipeline,
    @InjectMetric(METRICS.switchDuration) private readonly switchDuration: Histogram,
  ) {}

  async create(input: CreateSessionInput, idempotencyKey?: string): Promise<SessionView> {
    return (await this.commit(await this.sessions.create(input, idempotencyKey))).view;
  }

  /** The state as of now, read from Redis: clocks that ran out since are settled (and kept). */
  async get(sessionId: string): Promise<SessionView> {
    return (await this.execute(sessionId, { kind: 'settle' })).view;
  }

  async execute(
    sessionId: string,
    command: Command,
    idempotencyKey?: string,
  ): Promise<CommandOutcome> {
    const stop = command.kind === 'switch' ? this.switchDuration.startTimer() : undefined;
    try {
      return await this.commit(await this.sessions.execute(sessionId, command, idempotencyKey));
    } finally {
      stop?.();
    }
  }

  /** Deleting a session that does not exist is not an error (see SessionsService.delete). */
  async delete(sessionId: string, idempotencyKey?: string): Promise<void> {
    const { changes, deletion } = await this.sessions.delete(sessionId, idempotencyKey);
    await this.pipeline.committed(changes);
    if (deletion) await this.pipeline.deleted(deletion);
  }

  /** The session's state (restored from the archive if Redis lost it, the restore handed on). */
  async load(sessionId: string): Promise<ClockState> {
    const { state, restored } = await this.loader.load(sessionId);
    if (restored) await this.pipeline.committed([restored]);
    return state;
  }

  private async commit(decided: Decided): Promise<CommandOutcome> {
    await this.pipeline.committed(decided.changes);
    if ('error' in decided) throw decided.error;
    return decided.outcome;
  }
}
