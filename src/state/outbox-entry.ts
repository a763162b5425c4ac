import type { ClockState, Step } from '@synckairos/clock';
import { applyPatch, compare, Operation } from 'fast-json-patch';
import type { AuditEvent } from '../audit/audit.constants';

/**
 * One line of a session's outbox: `<version>|<t>|<length of meta>|<meta><payload>`, where meta
 * is the audit event without its state and `t` the instant the session was put in the outbox
 * index. The payload is what keeps the backlog compact, one state per outbox instead of one per
 * version: the newest entry's state is the session's stored state, and each entry carries the
 * reverse delta (a JSON Patch, RFC 6902) that turns its state into its predecessor's, or `null`
 * when it has none (a create). Entries written before deltas carry their whole state (`{`).
 * A base line (meta length 0) holds a whole state that is no version of its own: the deleted
 * state, pushed by the delete so that the entries before it can still be rebuilt.
 */
export function outboxEntryOf(event: AuditEvent, t: number, toPredecessor: string): string {
  const { state: _state, ...rest } = event;
  const meta = JSON.stringify(rest);
  return `${event.version}|${t}|${meta.length}|${meta}${toPredecessor}`;
}

/**
 * The payload of an entry whose state is `state` and whose predecessor's is `before`. The
 * user's metadata is one value in it, never descended into: its keys (`__proto__` among them)
 * become no patch path.
 */
export function reverseDelta(state: ClockState, before: ClockState | null): string {
  if (!before) return 'null';
  const { metadata: after, ...rest } = state;
  const { metadata: was, ...restBefore } = before;
  const ops = compare(rest, restBefore);
  if (after !== was && JSON.stringify(after) !== JSON.stringify(was))
    ops.push(
      was === undefined
        ? { op: 'remove', path: '/metadata' }
        : { op: 'add', path: '/metadata', value: was },
    );
  return JSON.stringify(ops);
}

export interface OutboxEntry {
  version: number;
  /** The index score its commit set (see SessionStore.ackOutbox). */
  t: number;
  /** The event; `state` is filled in by rebuildStates. */
  event: AuditEvent;
}

interface ParsedLine {
  version: number;
  t: number;
  /** Null for a base line. */
  meta: Omit<AuditEvent, 'state'> | null;
  payload: string;
}

function parseLine(text: string): ParsedLine {
  const a = text.indexOf('|');
  const b = text.indexOf('|', a + 1);
  const c = text.indexOf('|', b + 1);
  const length = Number(text.slice(b + 1, c));
  return {
    version: Number(text.slice(0, a)),
    t: Number(text.slice(a + 1, b)),
    meta:
      length === 0
        ? null
        : (JSON.parse(text.slice(c + 1, c + 1 + length)) as Omit<AuditEvent, 'state'>),
    payload: text.slice(c + 1 + length),
  };
}

export interface RebuiltOutbox {
  /** Oldest first, base lines left out. */
  entries: OutboxEntry[];
  /**
   * Versions older than a break in the chain (their session's state expired with them
   * unwritten): no state to rebuild them from, and none is guessed.
   */
  broken: number[];
}

/**
 * The events of an outbox with their states, rebuilt from the newest back: the newest delta
 * entry's state is `stored` (the session's state, read in the same step as the lines), each
 * older one the delta of the entry after it applied.
 */
export function rebuildOutbox(lines: string[], stored: string | null): RebuiltOutbox {
  const entries: OutboxEntry[] = [];
  const broken: number[] = [];
  let next: string | null = stored;
  for (let i = lines.length - 1; i >= 0; i--) {
    const { version, t, meta, payload } = parseLine(lines[i]);
    if (meta === null || payload.startsWith('{')) {
      if (meta) entries.push({ version, t, event: { ...meta, state: payload } });
      next = payload;
      continue;
    }
    const state = next === null ? null : (JSON.parse(next) as ClockState);
    if (state === null || state.version !== version) {
      broken.push(version);
      next = null;
      continue;
    }
    entries.push({ version, t, event: { ...meta, state: next as string } });
    next = predecessorOf(state, payload);
  }
  return { entries: entries.reverse(), broken: broken.reverse() };
}

/** The state before `state`, from the entry's payload; null when there is none to rebuild. */
function predecessorOf(state: ClockState, payload: string): string | null {
  const delta = JSON.parse(payload) as Operation[] | null;
  if (!delta) return null;
  try {
    // `state` was parsed for this entry alone: patched in place, not copied.
    return JSON.stringify(applyPatch(state, delta, false, true).newDocument);
  } catch {
    return null; // not a delta this service wrote: the older versions are named broken
  }
}

/** The audit event of one step; `stored` is the step's state text when it is at hand. */
export function eventOfStep(sessionId: string, step: Step, stored?: string): AuditEvent {
  const details: Record<string, unknown> = { ...step.details };
  if (step.group_id !== undefined) details.group_id = step.group_id;
  if (step.timeouts.length > 0) details.timeouts = step.timeouts;
  return {
    session_id: sessionId,
    version: step.version,
    event_type: step.type,
    participant_id: step.participant_id,
    occurred_at_ms: step.at,
    details: Object.keys(details).length > 0 ? details : null,
    state: stored ?? JSON.stringify(step.state),
  };
}
