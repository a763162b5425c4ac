import fc from 'fast-check';
import { OffsetEstimator } from './offset-estimator';
import { TrueServer } from './testing/fake-time';

const options = { maxDriftPpm: 100, keepPerRound: 4, rounds: 3, resolutionMs: 1 };
const delay = fc.double({ min: 0, max: 200, noNaN: true });

describe('OffsetEstimator', () => {
  it('bounds the true offset whatever the split of each round trip', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e7, max: 1e7, noNaN: true }),
        fc.array(fc.tuple(delay, delay), { minLength: 1, maxLength: 12 }),
        (offset, delays) => {
          const server = new TrueServer(offset);
          const est = new OffsetEstimator(options);
          let t = 5_000;
          const samples = delays.map(([up, down]) => {
            const s = server.sample(t, up, down);
            t = s.received_at;
            return s;
          });
          est.addRound(samples, t);
          const b = est.bounds(t)!;
          expect(b.lo).toBeLessThanOrEqual(server.exact(t) - t);
          expect(b.hi).toBeGreaterThanOrEqual(server.exact(t) - t);
          const e = est.estimate(t)!;
          expect(Math.abs(e - offset)).toBeLessThanOrEqual((b.hi - b.lo) / 2 + 1e-9);
        },
      ),
    );
  });

  it('keeps the samples with the shortest round trips', () => {
    const server = new TrueServer(250);
    const est = new OffsetEstimator(options);
    const rtts = [300, 90, 40, 500, 60, 45, 1000, 80];
    let t = 0;
    const samples = rtts.map((rtt) => {
      // long round trips spent all their extra time on the way back: a biased midpoint
      const s = server.sample(t, 20, rtt - 20);
      t = s.received_at;
      return s;
    });
    est.addRound(samples, t);
    expect(est.sampleCount).toBe(4);
    expect(est.bestRttMs).toBe(40);
    expect(Math.abs(est.estimate(t)! - 250)).toBeLessThanOrEqual(11);
  });

  it('widens the bound by the drift allowed since each sample', () => {
    const server = new TrueServer(0);
    const est = new OffsetEstimator(options);
    est.addRound([server.sample(0, 10, 10)], 20);
    const at = (t: number) => est.bounds(t)!;
    const width0 = at(20).hi - at(20).lo;
    const width = at(60_020).hi - at(60_020).lo;
    // 60 s at 100 ppm: 6 ms each side
    expect(width - width0).toBeCloseTo(12, 6);
  });

  it('drops older rounds that the newest contradicts (a clock was stepped)', () => {
    const est = new OffsetEstimator(options);
    const before = new TrueServer(0);
    est.addRound([before.sample(0, 5, 5), before.sample(10, 5, 5)], 20);
    const after = new TrueServer(10_000);
    est.addRound([after.sample(1000, 5, 5)], 1010);
    expect(est.sampleCount).toBe(1);
    expect(Math.abs(est.estimate(1010)! - 10_000)).toBeLessThanOrEqual(6);
  });

  it('ignores an empty round and samples that came back before they were sent', () => {
    const est = new OffsetEstimator(options);
    expect(est.addRound([], 0)).toBe(false);
    expect(est.addRound([{ sent_at: 10, received_at: 5, server_time_ms: 0 }], 10)).toBe(false);
    expect(est.bounds(10)).toBeNull();
    expect(est.estimate(10)).toBeNull();
    expect(est.bestRttMs).toBeNull();
  });

  it('keeps at most the configured rounds', () => {
    const server = new TrueServer(0);
    const est = new OffsetEstimator(options);
    for (let r = 0; r < 5; r++) {
      const t = r * 1000;
      est.addRound([server.sample(t, 5, 5), server.sample(t + 10, 5, 5)], t + 20);
    }
    expect(est.sampleCount).toBe(6);
  });
});
