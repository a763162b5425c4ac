import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ClockState } from '@synckairos/clock';
import { Env } from '../config/env.validation';

/**
 * Heap estimates, on the generous side of what V8 takes (measured on Node 20: a state without
 * participants ~260 bytes, a participant 135-200, metadata about twice its JSON).
 */
const STATE_BYTES = 1024;
const PARTICIPANT_BYTES = 320;
const GROUP_BYTES = 200;

/**
 * The last state this instance saw of recently used sessions: a guess, never the truth.
 * A command starts from it and goes straight to the compare-and-set, which is what checks
 * it: a stale guess fails the CAS, which returns the newer state, and the command is applied
 * again. That saves the read round trip whenever the same instance serves a session's
 * commands. Reads never use it. Least recently used entries go first, past SESSION_CACHE_SIZE
 * sessions or SESSION_CACHE_MAX_BYTES of (estimated) memory, whichever comes first.
 */
@Injectable()
export class SessionCache {
  private readonly entries = new Map<string, { state: ClockState; bytes: number }>();
  private readonly capacity: number;
  private readonly maxBytes: number;
  private totalBytes = 0;
  /** Metadata is shared by every version of a session: its size is measured once. */
  private readonly metadataBytes = new WeakMap<object, number>();

  constructor(config: ConfigService<Env, true>) {
    this.capacity = config.get('SESSION_CACHE_SIZE', { infer: true });
    this.maxBytes = config.get('SESSION_CACHE_MAX_BYTES', { infer: true });
  }

  get(sessionId: string): ClockState | undefined {
    const entry = this.entries.get(sessionId);
    if (entry === undefined) return undefined;
    this.entries.delete(sessionId);
    this.entries.set(sessionId, entry);
    return entry.state;
  }

  set(state: ClockState): void {
    if (this.capacity === 0 || this.maxBytes === 0) return;
    this.delete(state.session_id);
    const bytes = this.estimate(state);
    if (bytes > this.maxBytes) return;
    this.entries.set(state.session_id, { state, bytes });
    this.totalBytes += bytes;
    while (this.entries.size > this.capacity || this.totalBytes > this.maxBytes) {
      this.delete(this.entries.keys().next().value as string);
    }
  }

  delete(sessionId: string): void {
    const entry = this.entries.get(sessionId);
    if (entry === undefined) return;
    this.entries.delete(sessionId);
    this.totalBytes -= entry.bytes;
  }

  /** The estimated memory the cache holds, in bytes. */
  get bytes(): number {
    return this.totalBytes;
  }

  private estimate(state: ClockState): number {
    return (
      STATE_BYTES +
      state.participants.length * PARTICIPANT_BYTES +
      (state.groups?.length ?? 0) * GROUP_BYTES +
      (state.metadata === undefined ? 0 : this.sizeOf(state.metadata))
    );
  }

  private sizeOf(metadata: object): number {
    let bytes = this.metadataBytes.get(metadata);
    if (bytes === undefined) {
      bytes = 2 * JSON.stringify(metadata).length;
      this.metadataBytes.set(metadata, bytes);
    }
    return bytes;
  }
}
