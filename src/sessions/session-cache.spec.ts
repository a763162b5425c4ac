import { ConfigService } from '@nestjs/config';
import { createSession } from '../clock/create-session';
import { ClockState } from '../clock/clock.types';
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

const cache = (size: number) => new SessionCache(new ConfigService({ SESSION_CACHE_SIZE: size }));

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
