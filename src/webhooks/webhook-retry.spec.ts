import fc from 'fast-check';
import { nextTryAt, RETRY_DELAY_CAP_MS, RETRY_WINDOW_MS, retryDelayMs } from './webhook-retry';

describe('retry schedule', () => {
  it('waits the base, then twice as long each time, up to an hour', () => {
    const delays = Array.from({ length: 15 }, (_, i) => retryDelayMs(i + 1, 1000));
    expect(delays).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 256_000, 512_000, 1_024_000,
      2_048_000, 3_600_000, 3_600_000, 3_600_000,
    ]);
    expect(retryDelayMs(10_000, 1000)).toBe(RETRY_DELAY_CAP_MS);
  });

  it('gives up at the first failure 24 h after the first attempt, not before', () => {
    const first = 1_000_000;
    expect(nextTryAt(30, first, first + RETRY_WINDOW_MS - 1, 1000)).toBe(
      first + RETRY_WINDOW_MS - 1 + RETRY_DELAY_CAP_MS,
    );
    expect(nextTryAt(30, first, first + RETRY_WINDOW_MS, 1000)).toBeNull();
  });

  it('for any base and any attempt duration, an event always failing is tried for at least 24 h', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3_600_000 }),
        fc.integer({ min: 0, max: 5000 }),
        (base, attemptMs) => {
          const first = 0;
          let now = first + attemptMs;
          let attempt = 1;
          let previous = 0;
          for (;;) {
            const next = nextTryAt(attempt, first, now, base);
            if (next === null) break;
            const delay = next - now;
            // Doubling until the cap, never shrinking.
            expect(delay).toBe(previous === 0 ? base : Math.min(previous * 2, RETRY_DELAY_CAP_MS));
            previous = delay;
            now = next + attemptMs;
            attempt += 1;
          }
          expect(now - first).toBeGreaterThanOrEqual(RETRY_WINDOW_MS);
          expect(now - first).toBeLessThanOrEqual(RETRY_WINDOW_MS + RETRY_DELAY_CAP_MS + attemptMs);
        },
      ),
      { numRuns: 200 },
    );
  });
});
