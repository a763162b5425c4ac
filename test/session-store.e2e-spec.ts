import { Test, TestingModule } from '@nestjs/testing';
import Redis from 'ioredis';
import { createSession, ClockState } from '@synckairos/clock';
import { configModule } from '../src/config/config.module-factory';
import { MetricsModule } from '../src/metrics/metrics.module';
import { REDIS_CLIENT } from '../src/state/redis.constants';
import { SessionKeys } from '../src/state/session-keys';
import { SessionStore } from '../src/state/session-store';
import { RedisModule } from '../src/redis/redis.module';
import { StateModule } from '../src/state/state.module';
import { cleanRedis, sleep, uniqueId } from './support/e2e-app';

describe('SessionStore on a real Redis', () => {
  let moduleRef: TestingModule;
  let store: SessionStore;
  let redis: Redis;
  let keys: SessionKeys;

  const fresh = (): ClockState =>
    createSession(
      {
        session_id: uniqueId('store'),
        sync_mode: 'global',
        participants: [{ participant_id: 'a' }],
        total_time_ms: 60_000,
      },
      Date.now(),
    ).state;

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [configModule(), MetricsModule, RedisModule, StateModule],
    }).compile();
    await moduleRef.init();
    store = moduleRef.get(SessionStore);
    redis = moduleRef.get(REDIS_CLIENT);
    keys = moduleRef.get(SessionKeys);
  });

  afterAll(async () => {
    await moduleRef.close();
    await cleanRedis();
  });

  it('keys carry the prefix and the session id as a hash tag', () => {
    expect(keys.session('abc')).toBe(`${process.env.REDIS_KEY_PREFIX}:session:{abc}`);
    expect(keys.queuePrefix()).toBe(`{${process.env.REDIS_KEY_PREFIX}}`);
  });

  it('creates once, with the TTL asked for, and refuses an id that is taken', async () => {
    const state = fresh();
    await expect(store.create(state, 5000)).resolves.toBe(true);
    await expect(store.create(state, 5000)).resolves.toBe(false);
    const ttl = await redis.pttl(keys.session(state.session_id));
    expect(ttl).toBeGreaterThan(4000);
    expect(ttl).toBeLessThanOrEqual(5000);
    await expect(store.get(state.session_id)).resolves.toEqual({ kind: 'live', state });
  });

  it('refuses a write whose instant is implausible against Redis time, and writes nothing', async () => {
    const state = fresh();
    const t = Date.now();
    // The default MAX_CLOCK_SKEW_MS is 100: 10 s ahead or 10 s behind is a broken clock.
    await expect(
      store.create(state, 5000, [], { entries: [], t: 0 }, t + 10_000),
    ).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    await expect(
      store.create(state, 5000, [], { entries: [], t: 0 }, t - 10_000),
    ).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    await expect(store.get(state.session_id)).resolves.toEqual({ kind: 'missing' });
    await expect(store.create(state, 5000, [], { entries: [], t: 0 }, Date.now())).resolves.toBe(
      true,
    );
    const next = { ...state, version: 2 };
    await expect(
      store.compareAndSet(1, next, 5000, 0, 1, [], { entries: [], t: 0 }, Date.now() + 10_000),
    ).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(store.get(state.session_id)).resolves.toEqual({ kind: 'live', state });
  });

  it('compare-and-set writes only on the expected version and returns the newer state otherwise', async () => {
    const state = fresh();
    await store.create(state, 0);
    const v2 = { ...state, version: 2, status: 'running' as const };
    const written = await store.compareAndSet(1, v2, 0);
    expect(written).toEqual({ ok: true, watched: false, stored: expect.any(String) });
    // What it says it stored is what the next reader gets.
    expect(JSON.parse((written as { stored: string }).stored)).toEqual(v2);
    expect(await redis.hget(keys.session(state.session_id), 's')).toBe(
      (written as { stored: string }).stored,
    );
    const stale = { ...state, version: 2, status: 'cancelled' as const };
    await expect(store.compareAndSet(1, stale, 0)).resolves.toEqual({
      ok: false,
      current: { kind: 'live', state: v2 },
    });
    await expect(store.get(state.session_id)).resolves.toEqual({ kind: 'live', state: v2 });
  });

  it('tells whether some instance watches the session, in the same atomic step', async () => {
    const state = fresh();
    await store.create(state, 0);
    await redis.sadd(keys.watchers(state.session_id), 'instance-x');
    await expect(store.compareAndSet(1, { ...state, version: 2 }, 0)).resolves.toMatchObject({
      ok: true,
      watched: true,
    });
  });

  it('of many concurrent writers on one version, exactly one wins', async () => {
    const state = fresh();
    await store.create(state, 0);
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.compareAndSet(1, { ...state, version: 2, total_time_ms: 1000 + i }, 0),
      ),
    );
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
  });

  it('counts commits against the per-second limit in the same step, and only commits', async () => {
    const state = fresh();
    await store.create(state, 0);
    const write = (expected: number) =>
      store.compareAndSet(expected, { ...state, version: expected + 1 }, 0, 2);
    await expect(write(1)).resolves.toMatchObject({ ok: true, watched: false });
    // A lost race is not a commit: it does not use up the limit.
    await expect(write(1)).resolves.toMatchObject({ ok: false, current: { kind: 'live' } });
    await expect(write(2)).resolves.toMatchObject({ ok: true, watched: false });
    const refused = await write(3);
    expect(refused).toEqual({ ok: false, retryAfterMs: expect.any(Number), room: 0 });
    const retryAfterMs = (refused as { retryAfterMs: number }).retryAfterMs;
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(1000);
    // Refused means not written, and the refusal is not counted either.
    expect(await redis.hget(keys.session(state.session_id), 'v')).toBe('3');
    expect(await redis.get(keys.commitRate(state.session_id))).toBe('2');
    // Without a limit (other commands, limits off) the counter is neither read nor bumped.
    await expect(store.compareAndSet(3, { ...state, version: 4 }, 0)).resolves.toMatchObject({
      ok: true,
    });
    await sleep(retryAfterMs + 20);
    await expect(write(4)).resolves.toMatchObject({ ok: true, watched: false });
    expect(await redis.pttl(keys.commitRate(state.session_id))).toBeGreaterThan(0);
  });

  it('a write that carries several commits counts them all, and says how many still fit', async () => {
    const state = fresh();
    await store.create(state, 0);
    const write = (expected: number, commits: number) =>
      store.compareAndSet(expected, { ...state, version: expected + commits }, 0, 5, commits);
    await expect(write(1, 3)).resolves.toMatchObject({ ok: true });
    expect(await redis.get(keys.commitRate(state.session_id))).toBe('3');
    await expect(write(4, 3)).resolves.toMatchObject({ ok: false, room: 2 });
    await expect(write(4, 2)).resolves.toMatchObject({ ok: true });
    await expect(write(6, 1)).resolves.toMatchObject({ ok: false, room: 0 });
    expect(await redis.hget(keys.session(state.session_id), 'v')).toBe('6');
  });

  it('a TTL of 0 removes the expiry of a session that had one', async () => {
    const state = fresh();
    await store.create(state, 60_000);
    await store.compareAndSet(1, { ...state, version: 2 }, 0);
    expect(await redis.pttl(keys.session(state.session_id))).toBe(-1);
  });

  it('delete leaves a tombstone that reads as deleted, refuses writes, and expires', async () => {
    const state = fresh();
    await store.create(state, 0);
    await expect(store.delete(state.session_id, 2000)).resolves.toEqual(state);
    await expect(store.delete(state.session_id, 2000)).resolves.toBeNull();
    await expect(store.get(state.session_id)).resolves.toEqual({ kind: 'deleted' });
    await expect(store.compareAndSet(1, { ...state, version: 2 }, 0)).resolves.toEqual({
      ok: false,
      current: { kind: 'deleted' },
    });
    await expect(store.create(state, 0)).resolves.toBe(false);
    expect(await redis.hget(keys.session(state.session_id), 'v')).toBe('2');
    expect(await redis.pttl(keys.session(state.session_id))).toBeGreaterThan(1000);
  });

  it('a missing session reads as missing, and a write to it fails', async () => {
    const state = fresh();
    await expect(store.get(state.session_id)).resolves.toEqual({ kind: 'missing' });
    await expect(store.compareAndSet(1, state, 0)).resolves.toEqual({
      ok: false,
      current: { kind: 'missing' },
    });
  });

  it('answers UNAVAILABLE at once when Redis cannot be reached', async () => {
    const ended = new Promise((resolve) => redis.once('end', resolve));
    redis.disconnect();
    await ended;
    const started = Date.now();
    await expect(store.get('any')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(1000);
    await redis.connect();
    await expect(store.get('any')).resolves.toEqual({ kind: 'missing' });
  });
});
