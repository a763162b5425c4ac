import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AuthService } from '../auth/auth.service';
import { Principal } from '../auth/principal';
import { DomainError } from '../common/errors/domain-error';
import { clientAddress } from '../common/http/client-address';
import { Env } from '../config/env.validation';
import { AuthFailureLimiter } from '../rate-limit/auth-failure-limiter';
import { toSocketError } from './socket-exceptions.filter';
import { AppSocket } from './socket-events';

/** setTimeout holds at most this delay; a later expiry is looked at again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Socket credentials: the handshake's `auth.token` becomes the socket's principal (failed
 * attempts limited per address, as on REST); every event checks that it has not expired since,
 * and a timer at the token's `exp` drops the socket at that instant.
 */
@Injectable()
export class SocketAuth {
  private readonly trustProxy: boolean;

  constructor(
    private readonly auth: AuthService,
    private readonly failures: AuthFailureLimiter,
    config: ConfigService<Env, true>,
  ) {
    this.trustProxy = config.get('TRUST_PROXY', { infer: true });
  }

  /** The handshake's principal; throws 401, or 429 for an address past its failed attempts. */
  async authenticate(socket: AppSocket): Promise<Principal> {
    const { headers, address: peer } = socket.handshake;
    const address = clientAddress(headers, peer, this.trustProxy);
    this.failures.assertAllowed(address);
    const auth = socket.handshake.auth as Record<string, unknown> | undefined;
    let principal: Principal;
    try {
      principal = this.auth.fromToken(auth?.token);
    } catch (err) {
      throw (await this.failures.recordFailure(address)) ?? err;
    }
    if (principal.expiresAtMs !== null && principal.expiresAtMs <= Date.now()) throw expired();
    return principal;
  }

  /** Drops the socket when its credentials expire. */
  armExpiry(socket: AppSocket, now = Date.now()): void {
    const expiresAt = socket.data.principal.expiresAtMs;
    if (expiresAt === null) return;
    socket.data.expiryTimer = setTimeout(
      () => {
        if (Date.now() >= expiresAt) this.drop(socket);
        else this.armExpiry(socket);
      },
      Math.min(Math.max(0, expiresAt - now), MAX_TIMER_MS),
    );
  }

  /** On disconnect: the timer goes with the socket. */
  release(socket: AppSocket): void {
    if (socket.data.expiryTimer) clearTimeout(socket.data.expiryTimer);
    socket.data.expiryTimer = undefined;
  }

  /** Every event: 401 (and the socket dropped) once the credentials have expired. */
  assertCurrent(socket: AppSocket, now = Date.now()): void {
    const expiresAt = socket.data.principal.expiresAtMs;
    if (expiresAt === null || now < expiresAt) return;
    setImmediate(() => this.drop(socket));
    throw expired();
  }

  private drop(socket: AppSocket): void {
    socket.emit('session:error', toSocketError(expired()));
    socket.disconnect(true);
  }
}

function expired(): DomainError {
  return new DomainError('UNAUTHORIZED', 'the token has expired');
}
