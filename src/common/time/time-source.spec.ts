import { DomainError } from '../errors/domain-error';
import { DRIFT_PER_MS } from './clock-trust';
import { LocalClock } from './local-clock';
import { OffsetEstimate } from './offset-estimate';
import { TimeSource } from './time-source';

/** A local clock the test moves by hand. */
class HandClock extends LocalClock {
  at = 1_000_000;
  override now(): number {
    return this.at;
  }
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('it did not throw');
}

const policy = { maxSkewMs: 100, correct: true, staleAfterMs: 60_000 };
const measured = (offsetMs: number, errorMs: number, measuredAt: number): OffsetEstimate => ({
  offsetMs,
  errorMs,
  measuredAt,
  samples: 3,
});

describe('TimeSource', () => {
  let local: HandClock;
  beforeEach(() => (local = new HandClock()));

  it('before any measurement: the host clock, and commands refused', () => {
    const time = new TimeSource(local, policy);
    expect(time.now()).toBe(1_000_000);
    expect(time.status()).toMatchObject({ trusted: false, offsetMs: null });
    const refusal = thrown(() => time.trustedNow());
    expect(refusal).toBeInstanceOf(DomainError);
    expect(refusal).toMatchObject({ code: 'UNAVAILABLE' });
    expect(refusal.message).toMatch(/not in step with Redis.*not been measured/);
  });

  it('corrects the host clock by the offset, however large, and serves it', () => {
    const time = new TimeSource(local, policy);
    time.update(measured(-2000.4, 0.3, local.at));
    expect(time.now()).toBe(998_000);
    expect(time.trustedNow()).toBe(998_000);
    expect(time.status()).toMatchObject({ trusted: true, correcting: true });
    expect(time.status().boundMs).toBeCloseTo(0.3);
  });

  it('uncorrected: the same host is refused, its offset being past MAX_CLOCK_SKEW_MS', () => {
    const time = new TimeSource(local, { ...policy, correct: false });
    time.update(measured(-2000, 0.3, local.at));
    expect(time.now()).toBe(1_000_000);
    expect(time.status()).toMatchObject({ trusted: false, correcting: false });
    expect(time.status().reason).toMatch(/-2000 ms off Redis time, uncorrected/);
    expect(() => time.trustedNow()).toThrow(/not in step with Redis/);
  });

  it('uncorrected: a host within the bound is served as it is', () => {
    const time = new TimeSource(local, { ...policy, correct: false });
    time.update(measured(40, 1, local.at));
    expect(time.trustedNow()).toBe(1_000_000);
    expect(time.status().boundMs).toBeCloseTo(41);
  });

  it('an error bound past MAX_CLOCK_SKEW_MS is refused even though corrected', () => {
    const time = new TimeSource(local, policy);
    time.update(measured(5, 120, local.at));
    expect(time.status()).toMatchObject({ trusted: false });
    expect(time.status().reason).toMatch(/known within ±120 ms only/);
  });

  it('the bound grows with the age of the measurement, which goes stale', () => {
    const time = new TimeSource(local, policy);
    time.update(measured(0, 1, local.at));
    local.at += 30_000;
    expect(time.status().boundMs).toBeCloseTo(1 + 30_000 * DRIFT_PER_MS);
    expect(time.status().trusted).toBe(true);
    local.at += 30_001;
    expect(time.status()).toMatchObject({
      trusted: false,
      reason: 'Redis time not measured for 60 s',
    });
    time.update(measured(0, 1, local.at));
    expect(time.status().trusted).toBe(true);
  });
});
