import { ConfigService } from '@nestjs/config';
import Redis from 'ioredis';
import { Gauge, Registry } from 'prom-client';
import { ScrapeHooks } from '../../metrics/scrape-hooks';
import { ClockSync } from './clock-sync';
import { DRIFT_PER_MS } from './clock-trust';
import { LocalClock } from './local-clock';
import { TimeSource } from './time-source';

/** A host clock the fake Redis moves: each TIME round trip takes `rtts` ms in turn. */
class HandClock extends LocalClock {
  at = 5_000_000;
  override now(): number {
    return this.at;
  }
}

/** Redis `offsetMs` ahead of the host, reading its clock in the middle of each round trip. */
function fakeRedis(local: HandClock, offsetMs: number, rtts: number[]) {
  let call = 0;
  const redis = {
    down: false,
    time: jest.fn(() => {
      if (redis.down) return Promise.reject(new Error("Stream isn't writeable"));
      const rtt = rtts[call++ % rtts.length];
      const read = local.at + rtt / 2 + offsetMs;
      local.at += rtt;
      const micros = Math.round(read * 1000);
      return Promise.resolve([String(Math.floor(micros / 1e6)), String(micros % 1e6)]);
    }),
  };
  return redis;
}

function build(redis: unknown, local: LocalClock, correct = true) {
  const time = new TimeSource(local, { maxSkewMs: 100, correct, staleAfterMs: 60_000 });
  const registers = new Registry();
  const gauge = (name: string) => new Gauge({ name, help: name, registers: [registers] });
  const config = {
    get: (key: string) => ({ CLOCK_SYNC_INTERVAL_MS: 15_000, MAX_CLOCK_SKEW_MS: 100 })[key],
  } as unknown as ConfigService;
  const sync = new ClockSync(
    redis as Redis,
    local,
    time,
    new ScrapeHooks(),
    config as never,
    gauge('offset'),
    gauge('bound'),
    gauge('in_sync'),
  );
  return { sync, time, registers };
}

describe('ClockSync', () => {
  const stop: ClockSync[] = [];
  afterEach(() => {
    stop.splice(0).forEach((s) => s.onApplicationShutdown());
    jest.useRealTimers();
  });

  it('measures at boot, keeping the shortest round trips, and the clock is corrected', async () => {
    const local = new HandClock();
    const redis = fakeRedis(local, -2000, [9, 1, 7, 0.8, 12, 1.2, 30, 5]);
    const { sync, time, registers } = build(redis, local);
    stop.push(sync);
    await sync.onApplicationBootstrap();
    expect(redis.time).toHaveBeenCalledTimes(8);
    const status = time.status();
    expect(status.trusted).toBe(true);
    expect(status.offsetMs).toBeCloseTo(-2000, 1);
    // the best round trip (0.8 ms) halved, plus the drift allowance since it (35 ms)
    expect(status.boundMs).toBeCloseTo(0.4 + 35 * DRIFT_PER_MS, 2);
    expect(Math.abs(time.now() - (local.at - 2000))).toBeLessThanOrEqual(1);
    const text = await registers.metrics();
    expect(text).toMatch(/^offset -(1\.9999|2\.0000)\d*$/m);
    expect(text).toMatch(/^in_sync 1$/m);
  });

  it('Redis away at boot: not in step, and the next measurement that succeeds restores it', async () => {
    jest.useFakeTimers({ doNotFake: ['performance', 'Date'] });
    const local = new HandClock();
    const redis = fakeRedis(local, 30, [1]);
    redis.down = true;
    const { sync, time, registers } = build(redis, local);
    stop.push(sync);
    await sync.onApplicationBootstrap();
    expect(time.status()).toMatchObject({ trusted: false, offsetMs: null });
    expect(await registers.metrics()).toMatch(/^in_sync 0$/m);
    redis.down = false;
    await jest.advanceTimersByTimeAsync(1000);
    expect(time.status()).toMatchObject({ trusted: true, correcting: true });
    expect(time.status().offsetMs).toBeCloseTo(30, 1);
  });

  it('uncorrected, a host 2 s off is measured and refused', async () => {
    const local = new HandClock();
    const { sync, time } = build(fakeRedis(local, -2000, [1]), local, false);
    stop.push(sync);
    await sync.onApplicationBootstrap();
    expect(time.status()).toMatchObject({ trusted: false, correcting: false });
    expect(time.now()).toBe(local.at);
  });
});
