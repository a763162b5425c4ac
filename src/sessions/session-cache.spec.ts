import { ConfigService } from '@nestjs/config';
import { createSession, ClockState } from '@synckairos/clock';
import { SessionCache } from './session-cache';

const state = (id: string, version = 1): ClockState => ({
  ...createSession(
    {
      session_id: id,
      sync_mode: 'global',
      participants: [{ participant_id: 'a' }],
      total_time_ms: 1000,
    },
    0,
  ).state,
  version,
});

const cache = (size: number) =>
  new SessionCache(
    new ConfigService({ SESSION_CACHE_SIZE: size, SESSION_CACHE_MAX_BYTES: 64 * 1024 * 1024 }),
  );

describe('SessionCache', () => {
  it('remembers the newest state per session', () => {
    const c = cache(10);
    c.set(state('x', 1));
    c.set(state('x', 2));
    expect(c.get('x')?.version).toBe(2);
    expect(c.get('y')).toBeUndefined();
  });

  it('forgets the least recently used session first', () => {
    const c = cache(2);
    c.set(state('a'));
    c.set(state('b'));
    c.get('a');
    c.set(state('c'));
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBeDefined();
    expect(c.get('c')).toBeDefined();
  });

  it('remembers nothing with a size of 0, and forgets a deleted session', () => {
    const off = cache(0);
    off.set(state('a'));
    expect(off.get('a')).toBeUndefined();
    const c = cache(5);
    c.set(state('a'));
    c.delete('a');
    expect(c.get('a')).toBeUndefined();
  });
});

describe('SessionCache, bounded in bytes', () => {
  const big = (
    id: string,
    participants: number,
    metadata?: Record<string, unknown>,
  ): ClockState => ({
    ...createSession(
      {
        session_id: id,
        sync_mode: 'global',
        participants: Array.from({ length: participants }, (_, i) => ({ participant_id: `p${i}` })),
        total_time_ms: 1000,
        ...(metadata && { metadata }),
      },
      0,
    ).state,
  });
  const sized = (maxBytes: number) =>
    new SessionCache(
      new ConfigService({ SESSION_CACHE_SIZE: 1000, SESSION_CACHE_MAX_BYTES: maxBytes }),
    );

  it('forgets the least recently used sessions once the bytes run out, whatever the count', () => {
    const c = sized(1024 * 1024);
    for (let i = 0; i < 10; i++) c.set(big(`s${i}`, 1000));
    expect(c.bytes).toBeLessThanOrEqual(1024 * 1024);
    expect(c.get('s9')).toBeDefined();
    expect(c.get('s0')).toBeUndefined();
  });

  it('counts metadata, and never keeps a session larger than the whole budget', () => {
    const c = sized(64 * 1024);
    c.set(big('huge', 1000));
    expect(c.get('huge')).toBeUndefined();
    expect(c.bytes).toBe(0);
    c.set(big('meta', 1, { notes: 'x'.repeat(8000) }));
    expect(c.bytes).toBeGreaterThan(16_000);
    c.set(big('meta', 1));
    expect(c.bytes).toBeLessThan(2000);
    c.delete('meta');
    expect(c.bytes).toBe(0);
  });
});
