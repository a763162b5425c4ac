import { ConfigService } from '@nestjs/config';
import { SocketQuota, TokenBucket } from './socket-quota';

const quota = (over: Record<string, number> = {}) =>
  new SocketQuota(
    new ConfigService({
      SOCKET_MAX_EVENTS_PER_S: 10,
      SOCKET_MAX_SYNCS_PER_S: 3,
      SOCKET_MAX_COMMANDS_PER_S: 2,
      SOCKET_MAX_JOINS_PER_10S: 2,
      SOCKET_MAX_ROOMS: 1,
      ...over,
    }),
  );

describe('TokenBucket', () => {
  it('gives its capacity at once, then refills at its rate, never past its capacity', () => {
    const bucket = new TokenBucket(2, 2, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, false]);
    expect(bucket.take(499)).toBe(false);
    expect(bucket.take(500)).toBe(true);
    expect([bucket.take(60_000), bucket.take(60_000), bucket.take(60_000)]).toEqual([
      true,
      true,
      false,
    ]);
  });
});

describe('SocketQuota', () => {
  it('limits time:sync and commands within the budget of every event', () => {
    const q = quota();
    const state = q.fresh(0);
    const syncs = Array.from({ length: 5 }, () => q.admit(state, 'time:sync', 0).ok);
    expect(syncs).toEqual([true, true, true, false, false]);
    const switches = Array.from({ length: 3 }, () => q.admit(state, 'session:switch', 0).ok);
    expect(switches).toEqual([true, true, false]);
    expect(q.admit(state, 'session:leave', 0).ok).toBe(true);
  });

  it('counts every event, whatever its name', () => {
    const q = quota();
    const state = q.fresh(0);
    const results = Array.from({ length: 12 }, (_, i) => q.admit(state, `anything-${i}`, 0));
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    const refused = results.at(-1);
    expect(refused).toMatchObject({ ok: false, drop: false, error: { code: 'RATE_LIMITED' } });
  });

  it('drops a socket that keeps sending twice its budget, not one that pauses', () => {
    const q = quota();
    const state = q.fresh(0);
    const results = Array.from({ length: 21 }, () => q.admit(state, 'x', 0));
    expect(results.at(-2)).toMatchObject({ ok: false, drop: false });
    expect(results.at(-1)).toMatchObject({ ok: false, drop: true });
    const calm = q.fresh(0);
    for (let i = 0; i < 15; i++) q.admit(calm, 'x', 0);
    expect(q.admit(calm, 'x', 1000).ok).toBe(true);
    expect(calm.refusedInRow).toBe(0);
  });

  it('limits joins and rooms', () => {
    const q = quota();
    const state = q.fresh();
    const rooms = new Set(['own-id']);
    expect(() => q.admitJoin(state, rooms, 'session:a')).not.toThrow();
    rooms.add('session:a');
    expect(() => q.admitJoin(state, rooms, 'session:b')).toThrow(/at most 1 sessions/);
    expect(() => q.admitJoin(state, rooms, 'session:a')).toThrow(/joins per 10 s/);
  });
});
