import { ConfigService } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { DomainError } from '../common/errors/domain-error';
import { validateEnv } from '../config/env.validation';
import { AuthService } from './auth.service';

const SECRET = 'a-secret-of-at-least-thirty-two-chars!';
const ISSUER = 'the-issuer-to-keep-quiet';
const AUDIENCE = 'the-audience-to-keep-quiet';

const service = (env: Record<string, string>) =>
  new AuthService(new ConfigService(validateEnv(env)));

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (err) {
    return err as DomainError;
  }
  throw new Error('accepted');
}

describe('AuthService', () => {
  const auth = service({
    AUTH_MODE: 'jwt',
    JWT_SECRET: SECRET,
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
  });
  const jwt = new JwtService({ secret: SECRET });
  const sign = (claims: object, options: object = {}) =>
    jwt.sign(claims, { issuer: ISSUER, audience: AUDIENCE, expiresIn: 60, ...options });

  it('never says which issuer or audience it expected', () => {
    for (const token of [
      sign({ sub: 'x' }, { issuer: 'other' }),
      sign({ sub: 'x' }, { audience: 'other' }),
      jwt.sign({ sub: 'x' }),
    ]) {
      const err = refusal(() => auth.fromToken(token));
      expect(err.code).toBe('UNAUTHORIZED');
      expect(err.message).not.toContain(ISSUER);
      expect(err.message).not.toContain(AUDIENCE);
      expect(err.message).toBe('the token was not issued for this service');
    }
  });

  it('says an expired token has expired, and a forged one is not signed right', () => {
    expect(refusal(() => auth.fromToken(sign({ sub: 'x' }, { expiresIn: -1 }))).message).toBe(
      'the token has expired',
    );
    const forged = new JwtService({ secret: 'x'.repeat(40) }).sign({ sub: 'x' });
    expect(refusal(() => auth.fromToken(forged)).message).toBe('the token signature is not valid');
  });

  it('gives tokens without sub a bucket each (a hash of the token), and one sub one bucket', () => {
    const [a, b] = [sign({ jti: 'a' }), sign({ jti: 'b' })];
    expect(auth.fromToken(a).subject).not.toBe(auth.fromToken(b).subject);
    expect(auth.fromToken(a).subject).not.toContain(a);
    expect(auth.fromToken(sign({ sub: 's', jti: 'a' })).subject).toBe(
      auth.fromToken(sign({ sub: 's', jti: 'b' })).subject,
    );
  });

  it('carries the expiry of the token', () => {
    const exp = Math.floor(Date.now() / 1000) + 30;
    const token = jwt.sign({ sub: 'x', exp }, { issuer: ISSUER, audience: AUDIENCE });
    expect(auth.fromToken(token).expiresAtMs).toBe(exp * 1000);
    const key = service({ AUTH_MODE: 'apikey', API_KEYS: 'k'.repeat(20) });
    expect(key.fromToken('k'.repeat(20)).expiresAtMs).toBeNull();
  });
});
