import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { createHash, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../common/errors/domain-error';
import { Env } from '../config/env.validation';
import { FULL_ACCESS, Principal, SessionClaims } from './principal';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Turns credentials into a Principal. AUTH_MODE=apikey: one of API_KEYS, as a bearer token or
 * an x-api-key header (full access). AUTH_MODE=jwt: an HS256 or RS256 token whose claims may
 * restrict it to some sessions (`sessions`) and, for a player, to one participant
 * (`participant_id`). Missing or wrong credentials are 401.
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
      this.logger.warn(
        'AUTH_MODE=none in production: anyone who reaches this service controls every session',
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
    };
  }

  private bearerJwt(token: string): Principal {
    let claims: SessionClaims;
    try {
      claims = this.jwt.verify<SessionClaims & object>(token, this.verifyOptions);
    } catch (err) {
      throw unauthorized(`the token is not valid: ${(err as Error).message}`);
    }
    const sessions = claims.sessions === undefined ? null : [claims.sessions].flat();
    if (sessions !== null && !sessions.every((s) => typeof s === 'string'))
      throw unauthorized('bad sessions claim');
    return {
      subject: `jwt:${claims.sub ?? 'anonymous'}`,
      sessions,
      participantId: typeof claims.participant_id === 'string' ? claims.participant_id : null,
    };
  }
}

function unauthorized(message: string): DomainError {
  return new DomainError('UNAUTHORIZED', message);
}
