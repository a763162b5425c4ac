import { Injectable } from '@nestjs/common';
import { FieldError, scheduleErrors, SessionView, StartCommand } from '@synckairos/clock';
import { mapBounded } from '../common/concurrency/bounded-map';
import { DomainError } from '../common/errors/domain-error';
import { AllExceptionsFilter, ErrorBody } from '../common/filters/all-exceptions.filter';
import { SESSION_ID_PATTERN } from '../common/pipes/session-id.pipe';
import { TimeSource } from '../common/time/time-source';
import { CommandService } from '../commits/command.service';

/** Starts in flight at once: enough to start a round of 500 in well under a second. */
export const BULK_START_CONCURRENCY = 16;

export interface BulkStartItem {
  session_id: string;
  /** What a start of this session alone would have answered. */
  status: number;
  data?: SessionView;
  error?: ErrorBody['error'];
}

/**
 * A round of a tournament: many sessions started at one instant (contract section 9). Every
 * start is the ordinary start command, with the instant the request was accepted, so that all
 * clocks are anchored at `at_ms` (scheduled), or at that instant when none is given (a start
 * that waited its turn here is still anchored there). Each session answers for itself, with
 * the status and error body a start of it alone would have had.
 */
@Injectable()
export class BulkStarter {
  private readonly errors = new AllExceptionsFilter();

  constructor(
    private readonly sessions: CommandService,
    private readonly time: TimeSource,
  ) {}

  /**
   * `idempotencyKey` applies to each session's start (scoped to the session, as for a start of
   * it alone): a repeated round gets every session's first outcome.
   */
  async start(
    sessionIds: string[],
    atMs: number | undefined,
    idempotencyKey?: string,
  ): Promise<BulkStartItem[]> {
    const acceptedAt = this.time.trustedNow();
    const invalid = [
      ...idErrors(sessionIds),
      ...(atMs === undefined ? [] : scheduleErrors(atMs, acceptedAt)),
    ];
    if (invalid.length > 0) throw DomainError.validation(invalid);
    const command: StartCommand = {
      kind: 'start',
      accepted_at: acceptedAt,
      ...(atMs !== undefined && { at_ms: atMs }),
    };
    return mapBounded(sessionIds, BULK_START_CONCURRENCY, (id) =>
      this.startOne(id, command, idempotencyKey),
    );
  }

  private async startOne(
    sessionId: string,
    command: StartCommand,
    idempotencyKey: string | undefined,
  ): Promise<BulkStartItem> {
    try {
      const { view } = await this.sessions.execute(sessionId, command, idempotencyKey);
      return { session_id: sessionId, status: 200, data: view };
    } catch (err) {
      const { status, body } = this.errors.toResponse(err);
      return { session_id: sessionId, status, error: body.error };
    }
  }
}

/** Ids as the path's `:id` takes them, each listed once. */
function idErrors(ids: string[]): FieldError[] {
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  ids.forEach((id, i) => {
    if (!SESSION_ID_PATTERN.test(id)) {
      errors.push({
        field: `session_ids.${i}`,
        message: 'must be 1-64 characters of [A-Za-z0-9_-]',
      });
    } else if (seen.has(id)) {
      errors.push({ field: `session_ids.${i}`, message: `lists ${id} a second time` });
    }
    seen.add(id);
  });
  return errors;
}
