import { ClockSample, estimateOffset } from './offset-estimate';

/** A sample of a Redis clock `offset` ahead, read `readAfter` ms into a round trip of `rtt`. */
const sample = (sentAt: number, rtt: number, offset: number, readAfter = rtt / 2): ClockSample => ({
  sentAt,
  receivedAt: sentAt + rtt,
  serverMs: sentAt + readAfter + offset,
});

describe('estimateOffset', () => {
  it('one sample: the offset to the middle of the round trip, give or take half of it', () => {
    expect(estimateOffset([sample(1000, 4, 250)], 3)).toEqual({
      offsetMs: expect.closeTo(250, 2) as number,
      errorMs: expect.closeTo(2, 2) as number,
      measuredAt: 1004,
      samples: 1,
    });
  });

  it('keeps the shortest round trips: a slow sample read late does not pull the estimate', () => {
    const samples = [
      sample(0, 40, -2000, 39), // queued behind a batch: read at the very end
      sample(100, 1, -2000),
      sample(200, 30, -2000, 1),
      sample(300, 2, -2000),
      sample(400, 1.5, -2000),
    ];
    const estimate = estimateOffset(samples, 3);
    expect(estimate).toMatchObject({ samples: 3, measuredAt: 401.5 });
    expect(estimate!.offsetMs).toBeCloseTo(-2000, 0);
    // never wider than the shortest round trip's half
    expect(estimate!.errorMs).toBeLessThanOrEqual(0.5 + 0.001);
  });

  it('the bound always holds the true offset, wherever in its round trip Redis read its clock', () => {
    const truth = 1234.5;
    for (const readAfter of [0, 0.25, 0.5, 0.75, 1]) {
      const samples = [0, 1, 2, 3, 4, 5, 6, 7].map((i) =>
        sample(i * 10, 1 + i * 0.5, truth, (1 + i * 0.5) * readAfter),
      );
      const e = estimateOffset(samples, 3)!;
      expect(Math.abs(e.offsetMs - truth)).toBeLessThanOrEqual(e.errorMs + 1e-9);
      expect(e.errorMs).toBeLessThanOrEqual(0.5 + 0.001);
    }
  });

  it('bounds that meet are intersected: tighter than any one of them', () => {
    // Redis read early in one round trip and late in the other: together they pin it down.
    const e = estimateOffset([sample(0, 2, 100, 0.2), sample(10, 2, 100, 1.8)], 2)!;
    expect(e.errorMs).toBeLessThan(0.25);
    expect(Math.abs(e.offsetMs - 100)).toBeLessThanOrEqual(e.errorMs);
  });

  it('bounds that do not meet (a clock jumped mid-round) give no estimate', () => {
    expect(estimateOffset([sample(0, 1, 0), sample(10, 1, 500)], 2)).toBeNull();
  });

  it('no usable sample, no estimate', () => {
    expect(estimateOffset([], 3)).toBeNull();
    expect(estimateOffset([{ sentAt: 10, receivedAt: 9, serverMs: 10 }], 3)).toBeNull();
  });
});
