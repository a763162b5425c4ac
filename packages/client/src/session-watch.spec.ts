import fc from 'fast-check';
import { SessionWatch, type WatchOwner } from './session-watch';
import { chessState, T0 } from './testing/states';

const owner = (now = T0): WatchOwner & { closed: SessionWatch[] } => {
  const closed: SessionWatch[] = [];
  return { now: () => now, unwatch: (w) => closed.push(w), closed };
};

describe('SessionWatch', () => {
  it('delivers a strictly increasing sequence, never a version twice, whatever the arrival order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 80 }), (arrivals) => {
        const delivered: number[] = [];
        const w = new SessionWatch('g1', owner(), { onState: (s) => delivered.push(s.version) });
        for (const v of arrivals) w.offerState(chessState('g1', v));
        let max = 0;
        const expected = arrivals.filter((v) => (v > max ? ((max = v), true) : false));
        expect(delivered).toEqual(expected);
        expect(w.version).toBe(Math.max(0, ...arrivals));
      }),
    );
  });

  it("ignores another session's states, and everything once closed", () => {
    const o = owner();
    const seen: number[] = [];
    const w = new SessionWatch('g1', o, { onState: (s) => seen.push(s.version) });
    expect(w.offerState(chessState('g2', 5))).toBe(false);
    expect(w.offerState(chessState('g1', 2))).toBe(true);
    w.close();
    w.close();
    expect(o.closed).toEqual([w]);
    expect(w.offerState(chessState('g1', 3))).toBe(false);
    expect(seen).toEqual([2]);
  });

  it('computes live values once per millisecond and version', () => {
    const w = new SessionWatch('g1', owner(T0 + 1500), {});
    expect(w.live()).toBeNull();
    expect(w.remaining('white')).toBeNull();
    w.offerState(chessState('g1', 2));
    const a = w.live();
    expect(w.live()).toBe(a);
    expect(w.remaining('white')).toBe(58_500);
    w.offerState(chessState('g1', 3));
    expect(w.live()).not.toBe(a);
  });
});
