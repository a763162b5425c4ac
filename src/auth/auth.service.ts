import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtService, NotBeforeError, TokenExpiredError } from '@nestjs/jwt';
import { createHash, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../common/errors/domain-error';
import { Env } from '../config/env.validation';
import { toSessionClaims } from './jwt-claims';
import { FULL_ACCESS, Principal } from './principal';

const digest = (value: string) => createHash('sha256').update(value).digest();
const shortHash = (value: string) => digest(value).toString('hex').slice(0, 16);

/**
 * Turns credentials into a Principal. AUTH_MODE=apikey: one of API_KEYS, as a bearer token or
 * an x-api-key header (full access). AUTH_MODE=jwt: an HS256 or RS256 token whose claims, checked
 * by type, may restrict it to some sessions (`sessions`) and, for a player, to one participant
 * (`participant_id`). Missing or wrong credentials are 401; the answer never says what the
 * service expected (issuer, audience).
 */
@Injectable()
export class AuthService implements OnModuleInit {
  private readonly logger = new Logger(AuthService.name);
  private readonly production: boolean;
  readonly mode: Env['AUTH_MODE'];
  private readonly keys: Buffer[];
  private readonly jwt: JwtService;
  private readonly verifyOptions: {
    algorithms: ('HS256' | 'RS256')[];
    issuer?: string;
    audience?: string;
  };

  constructor(config: ConfigService<Env, true>) {
    this.mode = config.get('AUTH_MODE', { infer: true });
    this.production = config.get('NODE_ENV', { infer: true }) === 'production';
    this.keys = config
      .get('API_KEYS', { infer: true })
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean)
      .map(digest);
    const publicKey = config.get('JWT_PUBLIC_KEY', { infer: true }).replace(/\\n/g, '\n');
    const secret = config.get('JWT_SECRET', { infer: true });
    this.jwt = new JwtService(publicKey ? { publicKey } : { secret });
    const issuer = config.get('JWT_ISSUER', { infer: true });
    const audience = config.get('JWT_AUDIENCE', { infer: true });
    this.verifyOptions = {
      algorithms: [publicKey ? 'RS256' : 'HS256'],
      ...(issuer && { issuer }),
      ...(audience && { audience }),
    };
  }

  onModuleInit(): void {
    if (this.production && this.mode === 'none') {
      // Production only starts so when AUTH_MODE=none is written out (env.validation.ts).
      this.logger.error(
        'AUTH_MODE=none in production: there is no authentication, anyone who reaches this ' +
          'service controls every session',
      );
    }
  }

  /** From an HTTP request's headers. */
  fromHeaders(headers: Record<string, string | string[] | undefined>): Principal {
    const authorization = headers.authorization;
    const bearer =
      typeof authorization === 'string' ? /^Bearer\s+(\S+)$/i.exec(authorization)?.[1] : undefined;
    const apiKey = headers['x-api-key'];
    return this.fromToken(bearer ?? (typeof apiKey === 'string' ? apiKey : undefined));
  }

  /** From a bare token (the Socket.IO handshake's `auth.token`). */
  fromToken(token: unknown): Principal {
    if (this.mode === 'none') return FULL_ACCESS;
    if (typeof token !== 'string' || token.length === 0)
      throw unauthorized('credentials are missing');
    return this.mode === 'apikey' ? this.apiKey(token) : this.bearerJwt(token);
  }

  private apiKey(token: string): Principal {
    const given = digest(token);
    if (!this.keys.some((key) => timingSafeEqual(key, given)))
      throw unauthorized('the API key is not valid');
    return {
      subject: `key:${given.toString('hex').slice(0, 12)}`,
      sessions: null,
      participantId: null,
      expiresAtMs: null,
    };
  }

  private bearerJwt(token: string): Principal {
    let payload: unknown;
    try {
      payload = this.jwt.verify<object>(token, this.verifyOptions);
    } catch (err) {
      throw unauthorized(jwtFailure(err));
    }
    const claims = toSessionClaims(payload);
    return {
      // Tokens without `sub` are told apart by a hash of the token: one bucket each.
      subject:
        claims.sub !== undefined
          ? `jwt:sub:${shortHash(claims.sub)}`
          : `jwt:token:${shortHash(token)}`,
      sessions: claims.sessions ?? null,
      participantId: claims.participant_id ?? null,
      expiresAtMs: claims.exp !== undefined ? claims.exp * 1000 : null,
    };
  }
}

/** Why a token was refused, in words that give nothing away (not the expected issuer or audience). */
function jwtFailure(err: unknown): string {
  if (err instanceof TokenExpiredError) return 'the token has expired';
  if (err instanceof NotBeforeError) return 'the token is not valid yet';
  const message = err instanceof Error ? err.message : '';
  if (/issuer|audience|subject|jwtid/i.test(message))
    return 'the token was not issued for this service';
  if (/signature|algorithm/i.test(message)) return 'the token signature is not valid';
  return 'the token is not valid';
}

function unauthorized(message: string): DomainError {
  return new DomainError('UNAUTHORIZED', message);
}
