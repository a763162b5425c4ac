import { validateEnv } from './env.validation';

describe('webhook configuration', () => {
  const fails = (env: Record<string, string>) => () => validateEnv(env);

  it('defaults to no default webhook, 1 s retries, and delivering in every process', () => {
    expect(validateEnv({})).toMatchObject({
      WEBHOOK_URL: '',
      WEBHOOK_EVENTS: '',
      WEBHOOK_SECRET: '',
      WEBHOOK_ALLOWED_HOSTS: '',
      WEBHOOK_RETRY_BASE_MS: 1000,
      WEBHOOK_WORKER: true,
    });
  });

  it('takes a default webhook with its secret, events and allowed hosts', () => {
    const env = validateEnv({
      WEBHOOK_URL: 'http://hooks.internal:8080/clock',
      WEBHOOK_SECRET: 'whsec_123',
      WEBHOOK_EVENTS: 'session_expired, low_time',
      WEBHOOK_ALLOWED_HOSTS: 'hooks.internal,10.0.0.5',
      WEBHOOK_RETRY_BASE_MS: '250',
    });
    expect(env.WEBHOOK_RETRY_BASE_MS).toBe(250);
  });

  it('refuses a default webhook without a secret, and never shows the secret', () => {
    expect(fails({ WEBHOOK_URL: 'https://hooks.example/' })).toThrow(
      'WEBHOOK_SECRET is required with WEBHOOK_URL',
    );
    try {
      validateEnv({ WEBHOOK_URL: 'ftp://x', WEBHOOK_SECRET: 'do-not-print-me' });
      throw new Error('accepted');
    } catch (err) {
      expect((err as Error).message).toContain('WEBHOOK_URL must be an http:// or https:// URL');
      expect((err as Error).message).not.toContain('do-not-print-me');
    }
  });

  it.each([
    [{ WEBHOOK_URL: 'not a url', WEBHOOK_SECRET: 's' }, 'WEBHOOK_URL'],
    [{ WEBHOOK_URL: 'https://u:p@hooks.example/', WEBHOOK_SECRET: 's' }, 'WEBHOOK_URL'],
    [{ WEBHOOK_EVENTS: 'session_started,bogus' }, 'WEBHOOK_EVENTS: unknown event type(s) bogus'],
    [{ WEBHOOK_ALLOWED_HOSTS: 'hooks.internal,bad!host' }, 'WEBHOOK_ALLOWED_HOSTS'],
    [{ WEBHOOK_RETRY_BASE_MS: '0' }, 'WEBHOOK_RETRY_BASE_MS'],
  ])('refuses %j, naming the variable', (env, message) => {
    expect(fails(env)).toThrow(message);
  });
});
