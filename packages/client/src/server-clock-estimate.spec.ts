import fc from 'fast-check';
import { OffsetEstimator } from './offset-estimator';
import { EstimatedServerClock } from './server-clock-estimate';
import { FakeLocalClock, TrueServer } from './testing/fake-time';

const estimatorOptions = { maxDriftPpm: 100, keepPerRound: 4, rounds: 3, resolutionMs: 1 };
const slew = { slewRate: 0.05, stepThresholdMs: 1000 };

function setUp(server: TrueServer) {
  const local = new FakeLocalClock(0);
  const clock = new EstimatedServerClock(local, new OffsetEstimator(estimatorOptions), slew);
  /** A sync round of `n` samples with the given one-way delays. */
  const round = (delays: [number, number][]) => {
    const samples = delays.map(([up, down]) => {
      const s = server.sample(local.t, up, down);
      local.t = s.received_at;
      return s;
    });
    clock.addRound(samples);
  };
  return { local, clock, round };
}

describe('EstimatedServerClock', () => {
  it('before any sync: the local clock, with an unbounded error', () => {
    const { local, clock } = setUp(new TrueServer(0));
    local.t = 1234;
    expect(clock.now()).toBe(1234);
    expect(clock.offset()).toMatchObject({ error_ms: Infinity, samples: 0, synced_at: null });
    expect(clock.isSynced).toBe(false);
  });

  it('the first sync applies the estimate at once', () => {
    const server = new TrueServer(50_000);
    const { local, clock, round } = setUp(server);
    round([
      [10, 10],
      [10, 10],
    ]);
    expect(Math.abs(clock.now() - server.exact(local.t))).toBeLessThanOrEqual(2);
    expect(clock.offset().rtt_ms).toBe(20);
    expect(clock.offset().synced_at).toBeCloseTo(local.t + 50_000, -1);
  });

  it('slews a later correction in at the slew rate instead of jumping', () => {
    const server = new TrueServer(0);
    const { local, clock, round } = setUp(server);
    round([[5, 5]]);
    server.offset = 200; // the server's clock moved: the next round sees it
    local.advance(1000);
    const before = clock.now();
    round([[5, 5]]);
    const justAfter = clock.now();
    expect(justAfter - before).toBeLessThanOrEqual(10 * 1.05 + 1e-9);
    const applied = clock.offset().offset_ms;
    local.advance(1000);
    expect(clock.offset().offset_ms - applied).toBeCloseTo(50, 6); // 5 % of 1000 ms
    local.advance(4000);
    expect(clock.offset().offset_ms - applied).toBeCloseTo(200, 6);
    expect(clock.offset().error_ms).toBeLessThan(8);
  });

  it('steps a large forward correction', () => {
    const server = new TrueServer(0);
    const { local, clock, round } = setUp(server);
    round([[5, 5]]);
    server.offset = 30_000;
    local.advance(1000);
    round([[5, 5]]);
    expect(Math.abs(clock.now() - server.exact(local.t))).toBeLessThanOrEqual(6);
  });

  it('waits out a large backward correction standing still: now() never goes back', () => {
    const server = new TrueServer(0);
    const { local, clock, round } = setUp(server);
    round([[5, 5]]);
    server.offset = -30_000;
    local.advance(1000);
    const before = clock.now();
    round([[5, 5]]);
    for (let i = 0; i < 100; i++) {
      local.advance(7);
      expect(clock.now()).toBeGreaterThanOrEqual(before);
    }
    local.advance(30_000);
    expect(Math.abs(clock.now() - server.exact(local.t))).toBeLessThanOrEqual(6);
  });

  it('is honest at every moment, and never goes back nor jumps beyond its bound', () => {
    const roundArb = fc.record({
      gap: fc.integer({ min: 1, max: 60_000 }),
      delays: fc.array(
        fc.tuple(
          fc.double({ min: 0, max: 150, noNaN: true }),
          fc.double({ min: 0, max: 150, noNaN: true }),
        ),
        { minLength: 1, maxLength: 8 },
      ),
      probes: fc.array(fc.double({ min: 0, max: 30_000, noNaN: true }), { maxLength: 6 }),
    });
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: -100, max: 100, noNaN: true }),
        fc.array(roundArb, { minLength: 1, maxLength: 6 }),
        (offset, drift, rounds) => {
          const server = new TrueServer(offset, drift);
          const { local, clock, round } = setUp(server);
          let last = -Infinity;
          let synced = false;
          for (const r of rounds) {
            local.advance(r.gap);
            const before = clock.now();
            const boundBefore = clock.offset().error_ms;
            round(r.delays);
            const after = clock.now();
            expect(after).toBeGreaterThanOrEqual(before);
            if (synced) {
              // what the round's own duration explains, plus at most the bound
              const elapsed = r.delays.reduce((sum, [u, d]) => sum + u + d, 0);
              expect(after - before - elapsed).toBeLessThanOrEqual(
                Math.max(boundBefore, clock.offset().error_ms) + elapsed * slew.slewRate,
              );
            }
            synced = true;
            for (const p of [0, ...r.probes]) {
              local.advance(p);
              const now = clock.now();
              expect(now).toBeGreaterThanOrEqual(last);
              last = now;
              const err = Math.abs(now - server.exact(local.t));
              expect(err).toBeLessThanOrEqual(clock.offset().error_ms);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
