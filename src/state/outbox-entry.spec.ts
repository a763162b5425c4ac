import { ClockState, Step } from '@synckairos/clock';
import { rebuildOutbox } from './outbox-entry';
import { outboxOf } from './session-store';

const state = (version: number, extra: Partial<ClockState> = {}) =>
  ({
    session_id: 's',
    version,
    status: 'running',
    participants: [
      { participant_id: 'w', remaining_ms: 60_000 - version },
      { participant_id: 'b', remaining_ms: 60_000 },
    ],
    active_participant_id: version % 2 ? 'w' : 'b',
    anchored_at: version % 3 === 0 ? undefined : 1000 + version,
    metadata: { note: 'x'.repeat(500) },
    ...extra,
  }) as unknown as ClockState;

const step = (s: ClockState): Step =>
  ({
    type: 'switch',
    version: s.version,
    at: 1000 + s.version,
    participant_id: 'w',
    timeouts: [],
    state: s,
  }) as unknown as Step;

/** What JSON keeps of a state: undefined fields dropped. */
const asStored = (s: ClockState) => JSON.parse(JSON.stringify(s)) as unknown;

/** The outbox lines of a create and then one write per group of versions, as Redis holds them. */
function linesOf(groups: number[][]): { lines: string[]; states: ClockState[] } {
  const states: ClockState[] = [];
  const lines: string[] = [];
  let before: ClockState | null = null;
  for (const group of groups) {
    const steps = group.map((v) => step(state(v)));
    lines.push(...outboxOf('s', steps, 5000, before).entries);
    states.push(...steps.map((s) => s.state));
    before = steps[steps.length - 1].state;
  }
  return { lines, states };
}

describe('the outbox, one state per session', () => {
  it('rebuilds every version from the stored state and the reverse deltas', () => {
    const { lines, states } = linesOf([[1], [2], [3, 4, 5], [6], [7]]);
    const { entries, broken } = rebuildOutbox(lines, JSON.stringify(states[states.length - 1]));
    expect(broken).toEqual([]);
    expect(entries.map((e) => e.version)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(entries.map((e) => JSON.parse(e.event.state))).toEqual(states.map(asStored));
    expect(entries.map((e) => e.event.event_type)).toEqual(states.map(() => 'switch'));
  });

  it('keeps only the trimmed outbox’s tail: what was written before is not needed', () => {
    const { lines, states } = linesOf([[1], [2], [3], [4]]);
    const { entries } = rebuildOutbox(lines.slice(2), JSON.stringify(states[3]));
    expect(entries.map((e) => JSON.parse(e.event.state))).toEqual(states.slice(2).map(asStored));
  });

  it('stores a delta, not a snapshot, for each version but the newest', () => {
    const { lines } = linesOf([[1], [2], [3]]);
    // The 500-character metadata is in no line: the create has no predecessor (null).
    for (const line of lines) expect(line.length).toBeLessThan(400);
    expect(lines[0].endsWith('null')).toBe(true);
  });

  it('rebuilds from a base line (the deleted state) when the session is gone', () => {
    const { lines, states } = linesOf([[1], [2], [3]]);
    const base = `4|5000|0|${JSON.stringify(states[2])}`;
    const { entries, broken } = rebuildOutbox([...lines, base], null);
    expect(broken).toEqual([]);
    expect(entries.map((e) => JSON.parse(e.event.state))).toEqual(states.map(asStored));
  });

  it('reads whole-state lines written before deltas', () => {
    const old = (s: ClockState) => {
      const meta = JSON.stringify({ session_id: 's', version: s.version });
      return `${s.version}|5000|${meta.length}|${meta}${JSON.stringify(s)}`;
    };
    const next = outboxOf('s', [step(state(3))], 5000, state(2)).entries;
    const { entries } = rebuildOutbox(
      [old(state(1)), old(state(2)), ...next],
      JSON.stringify(state(3)),
    );
    expect(entries.map((e) => e.version)).toEqual([1, 2, 3]);
    expect(entries.map((e) => JSON.parse(e.event.state))).toEqual(
      [state(1), state(2), state(3)].map(asStored),
    );
  });

  it('names the versions it cannot rebuild instead of guessing their state', () => {
    const { lines, states } = linesOf([[1], [2], [3]]);
    // The session expired: no stored state, no base.
    expect(rebuildOutbox(lines, null)).toEqual({ entries: [], broken: [1, 2, 3] });
    // A stored state of another version does not rebuild them either.
    expect(rebuildOutbox(lines, JSON.stringify(states[1])).broken).toEqual([1, 2, 3]);
  });
});

describe('the reverse delta', () => {
  it('takes the metadata whole: hostile keys rebuild as they were, and pollute nothing', () => {
    const hostile = (n: number) =>
      JSON.parse(`{"__proto__":{"n":${n}},"constructor":{"prototype":{"n":${n}}}}`) as Record<
        string,
        unknown
      >;
    const v1 = state(1, { metadata: hostile(1) });
    const v2 = state(2, { metadata: hostile(2) });
    const v3 = state(3, { metadata: undefined });
    const lines = [
      ...outboxOf('s', [step(v1)], 5000, null).entries,
      ...outboxOf('s', [step(v2)], 5000, v1).entries,
      ...outboxOf('s', [step(v3)], 5000, v2).entries,
    ];
    const { entries, broken } = rebuildOutbox(lines, JSON.stringify(v3));
    expect(broken).toEqual([]);
    expect(entries.map((e) => e.event.state)).toEqual([v1, v2, v3].map((s) => JSON.stringify(s)));
    expect(({} as Record<string, unknown>).n).toBeUndefined();
  });

  it('a payload that does not apply breaks the chain there, named, not thrown', () => {
    const lines = outboxOf('s', [step(state(1)), step(state(2))], 5000, null).entries;
    const bad = lines[1].replace(/\[.*\]$/, '[{"op":"test","path":"/version","value":99}]');
    expect(rebuildOutbox([lines[0], bad], JSON.stringify(state(2))).broken).toEqual([1]);
  });
});
