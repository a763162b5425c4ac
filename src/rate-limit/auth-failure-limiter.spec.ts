import { ConfigService } from '@nestjs/config';
import Redis from 'ioredis';
import { AuthFailureLimiter } from './auth-failure-limiter';

/** Redis's answers to SET NX PX, INCR, PTTL, as a MULTI gives them; or a failure. */
function redisAnswering(count: () => number, ttlMs = 4000, fail = false): Redis {
  const chain = {
    set: () => chain,
    incr: () => chain,
    pttl: () => chain,
    exec: () =>
      fail
        ? Promise.reject(new Error('Connection is closed.'))
        : Promise.resolve([
            [null, 'OK'],
            [null, count()],
            [null, ttlMs],
          ]),
  };
  return { multi: () => chain } as unknown as Redis;
}

const limiter = (redis: Redis, enabled = true) =>
  new AuthFailureLimiter(
    redis,
    new ConfigService({
      RATE_LIMIT_ENABLED: enabled,
      AUTH_FAILURES_PER_WINDOW: 3,
      AUTH_FAILURE_WINDOW_MS: 10_000,
      REDIS_KEY_PREFIX: 'sk',
    }),
  );

describe('AuthFailureLimiter', () => {
  it('answers 429 past the limit and blocks the address, good attempts too, until the window ends', async () => {
    let n = 0;
    const l = limiter(redisAnswering(() => ++n));
    for (let i = 0; i < 3; i++) expect(await l.recordFailure('1.2.3.4', 0)).toBeNull();
    const refusal = await l.recordFailure('1.2.3.4', 0);
    expect(refusal).toMatchObject({ code: 'RATE_LIMITED', details: { retry_after_s: 4 } });
    expect(() => l.assertAllowed('1.2.3.4', 3999)).toThrow(/failed authentications/);
    expect(() => l.assertAllowed('5.6.7.8', 3999)).not.toThrow();
    expect(() => l.assertAllowed('1.2.3.4', 4000)).not.toThrow();
  });

  it('lets everything through when Redis cannot count, or when limits are off', async () => {
    const down = limiter(redisAnswering(() => 99, 1000, true));
    expect(await down.recordFailure('1.2.3.4')).toBeNull();
    const off = limiter(
      redisAnswering(() => 99),
      false,
    );
    expect(await off.recordFailure('1.2.3.4')).toBeNull();
    expect(() => off.assertAllowed('1.2.3.4')).not.toThrow();
  });

  it('remembers a bounded number of blocked addresses, the newest', async () => {
    const l = limiter(redisAnswering(() => 10));
    for (let i = 0; i < 10_001; i++) await l.recordFailure(`a${i}`, 0);
    expect(() => l.assertAllowed('a0', 1)).not.toThrow();
    expect(() => l.assertAllowed('a10000', 1)).toThrow();
  });
});
