import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DomainError, SessionView } from '@synckairos/clock';
import { ErrorCode } from '../common/errors/error-codes';
import { IdempotencyRecord, SessionStore } from '../state/session-store';
import { SessionKeys } from '../state/session-keys';

/** Contract section 10: 1-128 characters of [A-Za-z0-9_.:-]. */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

/** How long a claim holds the key while its command runs (a dead instance's claim lapses). */
const CLAIM_TTL_MS = 10_000;
const WAIT_STEP_MS = 20;

/** Outcomes that are not decisions: a retry must run the command again. */
const UNDECIDED = new Set<ErrorCode>([
  'UNAVAILABLE',
  'OUTCOME_UNKNOWN',
  'BACKLOG_FULL',
  'RATE_LIMITED',
  'INTERNAL_ERROR',
]);

/** One command sent with an Idempotency-Key. */
export interface IdempotentRequest {
  /** The Redis key of its record, in the session's hash slot. */
  recordKey: string;
  /** What the request asked for: the same key with another body is a 409. */
  fingerprint: string;
  /** This attempt's claim, so that only it lets go of it. */
  marker: string;
}

/** The first outcome, as kept for the retries. */
export interface FirstOutcome {
  view?: SessionView;
  expired_participant_id?: string;
  error?: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

interface Stored extends FirstOutcome {
  fp: string;
  pending?: string;
}

/**
 * Idempotent commands: a key scoped to the session and the command. The first attempt claims
 * the key; its decided outcome is written in the same atomic step as the state it committed
 * (or alone, when it committed nothing), so a retry after OUTCOME_UNKNOWN finds it if, and only
 * if, the write happened. A duplicate that arrives meanwhile waits for that outcome.
 */
@Injectable()
export class Idempotency {
  constructor(
    private readonly store: SessionStore,
    private readonly keys: SessionKeys,
  ) {}

  request(sessionId: string, command: string, key: string, body: unknown): IdempotentRequest {
    if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
      throw DomainError.invalidField(
        'Idempotency-Key',
        'must be 1-128 characters of A-Z a-z 0-9 _ . : -',
      );
    }
    return {
      recordKey: this.keys.idempotency(sessionId, command, key),
      fingerprint: fingerprintOf(body),
      marker: randomUUID(),
    };
  }

  /**
   * Claims the key, or finds the first outcome (waiting, bounded, while another attempt holds
   * it). null: claimed, run the command. Throws 409 when the key was used with another body.
   */
  async claim(req: IdempotentRequest): Promise<FirstOutcome | null> {
    const marker = JSON.stringify({ fp: req.fingerprint, pending: req.marker });
    const until = Date.now() + CLAIM_TTL_MS + 1000;
    for (;;) {
      const held = await this.store
        .claimIdempotency(req.recordKey, marker, CLAIM_TTL_MS)
        .catch(async (err: unknown) => {
          // The claim may land later (a stalled Redis): take it back behind it, in order.
          await this.release(req);
          throw err;
        });
      if (held === null) return null;
      const stored = JSON.parse(held) as Stored;
      if (stored.fp !== req.fingerprint) {
        throw new DomainError(
          'IDEMPOTENCY_KEY_REUSED',
          'this Idempotency-Key was used with another request',
        );
      }
      if (stored.pending === undefined) return stored;
      if (Date.now() > until) {
        throw new DomainError('UNAVAILABLE', 'the first request of this key is still in flight');
      }
      await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
    }
  }

  /** The record of a decided outcome; undefined when it is no decision (a 503, a 429). */
  record(req: IdempotentRequest, outcome: FirstOutcome): IdempotencyRecord | undefined {
    if (outcome.error && UNDECIDED.has(outcome.error.code)) return undefined;
    const stored: Stored = { fp: req.fingerprint, ...outcome };
    return { key: req.recordKey, value: JSON.stringify(stored) };
  }

  recordError(req: IdempotentRequest, err: unknown): IdempotencyRecord | undefined {
    if (!(err instanceof DomainError)) return undefined;
    return this.record(req, {
      error: { code: err.code, message: err.message, details: err.details },
    });
  }

  save(records: IdempotencyRecord[]): Promise<void> {
    return this.store.saveIdempotency(records);
  }

  /** After an undecided outcome: the next attempt runs the command. */
  async release(req: IdempotentRequest): Promise<void> {
    const marker = JSON.stringify({ fp: req.fingerprint, pending: req.marker });
    await this.store.releaseIdempotency(req.recordKey, marker).catch(() => undefined);
  }
}

/** The first outcome again: its state as it was answered, or its error. */
export function replay(first: FirstOutcome): {
  view: SessionView;
  expired_participant_id?: string;
} {
  if (first.error)
    throw new DomainError(first.error.code, first.error.message, first.error.details);
  const out: { view: SessionView; expired_participant_id?: string } = { view: first.view! };
  if (first.expired_participant_id !== undefined)
    out.expired_participant_id = first.expired_participant_id;
  return out;
}

/** A stable hash of the request's body, whatever the order of its keys. */
export function fingerprintOf(body: unknown): string {
  return createHash('sha256').update(canonical(body)).digest('base64url').slice(0, 22);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
