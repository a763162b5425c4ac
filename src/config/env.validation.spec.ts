import { validateEnv } from './env.validation';

describe('validateEnv', () => {
  it('fills in the documented defaults', () => {
    expect(validateEnv({})).toMatchObject({
      PORT: 3000,
      REDIS_KEY_PREFIX: 'sk',
      SESSION_RETENTION_S: 3600,
      LOG_LEVEL: 'info',
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
  });

  it('converts strings from the environment to their types', () => {
    expect(
      validateEnv({ PORT: '8080', TRUST_PROXY: 'true', SESSION_RETENTION_S: '60' }),
    ).toMatchObject({
      PORT: 8080,
      TRUST_PROXY: true,
      SESSION_RETENTION_S: 60,
    });
  });

  it.each([
    ['false', false],
    ['0', false],
    ['no', false],
    ['true', true],
    ['1', true],
  ])('reads the boolean %s as %s', (raw, value) => {
    expect(validateEnv({ AUDIT_WORKER: raw }).AUDIT_WORKER).toBe(value);
  });

  it.each([
    ['AUDIT_WORKER', 'maybe'],
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['REDIS_URL', 'localhost:6379'],
    ['DATABASE_URL', 'mysql://x'],
    ['LOG_LEVEL', 'loud'],
    ['REDIS_KEY_PREFIX', 'has space'],
    ['SESSION_RETENTION_S', '0'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => validateEnv({ [name]: value })).toThrow(new RegExp(`${name}=`));
  });

  it('requires REDIS_URL and DATABASE_URL in production', () => {
    expect(() => validateEnv({ NODE_ENV: 'production' })).toThrow(
      /REDIS_URL is required in production/,
    );
    expect(() => validateEnv({ NODE_ENV: 'production', REDIS_URL: 'redis://r:6379' })).toThrow(
      /DATABASE_URL is required/,
    );
  });

  it('takes Redis Cluster seeds as host:port pairs, which stand for REDIS_URL in production', () => {
    expect(validateEnv({ REDIS_CLUSTER_NODES: 'r1:7000, 10.0.0.2:7001' }).REDIS_CLUSTER_NODES).toBe(
      'r1:7000, 10.0.0.2:7001',
    );
    for (const bad of ['r1', 'r1:7000,', 'redis://r1:7000', 'r1:port'])
      expect(() => validateEnv({ REDIS_CLUSTER_NODES: bad })).toThrow(/REDIS_CLUSTER_NODES/);
    expect(() =>
      validateEnv({ NODE_ENV: 'production', REDIS_CLUSTER_NODES: 'r1:7000', AUTH_MODE: 'none' }),
    ).not.toThrow(/REDIS_URL/);
  });

  it('takes Sentinels as host:port pairs and a primary name', () => {
    expect(
      validateEnv({ REDIS_SENTINELS: 's1:26379,s2:26379', REDIS_SENTINEL_NAME: 'primary-1' }),
    ).toMatchObject({ REDIS_SENTINELS: 's1:26379,s2:26379', REDIS_SENTINEL_NAME: 'primary-1' });
    expect(() => validateEnv({ REDIS_SENTINELS: 's1' })).toThrow(/REDIS_SENTINELS/);
    expect(() => validateEnv({ REDIS_SENTINEL_NAME: '' })).toThrow(/REDIS_SENTINEL_NAME/);
  });

  it('refuses production without an AUTH_MODE written out; none, written out, is allowed', () => {
    const prod = {
      NODE_ENV: 'production',
      REDIS_URL: 'redis://r:6379',
      DATABASE_URL: 'postgres://p/db',
    };
    expect(() => validateEnv(prod)).toThrow(/AUTH_MODE is required in production/);
    expect(() => validateEnv({ ...prod, AUTH_MODE: '' })).toThrow(/AUTH_MODE is required/);
    expect(validateEnv({ ...prod, AUTH_MODE: 'none' }).AUTH_MODE).toBe('none');
    expect(validateEnv({}).AUTH_MODE).toBe('none');
  });

  it('keeps INTERNAL_PORT off PORT', () => {
    expect(validateEnv({ INTERNAL_PORT: '9090' }).INTERNAL_PORT).toBe(9090);
    expect(() => validateEnv({ PORT: '9090', INTERNAL_PORT: '9090' })).toThrow(/INTERNAL_PORT/);
  });

  it('drains for 5 s before a production shutdown unless told otherwise; the old name still works', () => {
    const prod = {
      NODE_ENV: 'production',
      REDIS_URL: 'redis://r:6379',
      DATABASE_URL: 'postgres://p/db',
      AUTH_MODE: 'none',
    };
    expect(validateEnv(prod).SHUTDOWN_DRAIN_MS).toBe(5000);
    expect(validateEnv({ ...prod, SHUTDOWN_DRAIN_MS: '0' }).SHUTDOWN_DRAIN_MS).toBe(0);
    expect(validateEnv({ ...prod, SHUTDOWN_DRAIN_DELAY_MS: '2000' }).SHUTDOWN_DRAIN_MS).toBe(2000);
    expect(validateEnv({}).SHUTDOWN_DRAIN_MS).toBe(0);
    expect(() => validateEnv({ SHUTDOWN_DRAIN_MS: '-1' })).toThrow(/SHUTDOWN_DRAIN_MS=/);
  });

  it('bounds the clock skew, and takes the clock fault hook in tests only', () => {
    expect(validateEnv({})).toMatchObject({
      MAX_CLOCK_SKEW_MS: 100,
      CLOCK_SYNC_INTERVAL_MS: 15_000,
      CLOCK_CORRECTION: true,
      TEST_CLOCK_OFFSET_MS: 0,
    });
    expect(() => validateEnv({ MAX_CLOCK_SKEW_MS: '0' })).toThrow(/MAX_CLOCK_SKEW_MS=/);
    expect(() => validateEnv({ CLOCK_SYNC_INTERVAL_MS: '10' })).toThrow(/CLOCK_SYNC_INTERVAL_MS=/);
    expect(
      validateEnv({ NODE_ENV: 'test', TEST_CLOCK_OFFSET_MS: '2000' }).TEST_CLOCK_OFFSET_MS,
    ).toBe(2000);
    expect(() => validateEnv({ TEST_CLOCK_OFFSET_MS: '2000' })).toThrow(
      /TEST_CLOCK_OFFSET_MS is a test fault hook/,
    );
  });
});
