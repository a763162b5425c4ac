import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AuthFailureLimiter } from '../rate-limit/auth-failure-limiter';
import { PUBLIC_ROUTE } from './auth.decorators';
import { AuthService } from './auth.service';
import { COMMAND_KEY, SessionCommand } from './command.decorator';
import { CommandPolicy } from './command-policy';
import { Principal } from './principal';

export type AuthenticatedRequest = Request & { principal?: Principal };

/**
 * Every route needs credentials unless its handler is @Public (401 without them; 429 for an
 * address past its failed attempts). What the caller may do is decided by CommandPolicy on the
 * @Command of the handler Nest matched and the sessions it acts on (its `:id`, or those the body
 * names: a create's id, a bulk start's ids). A player's switch is made to end its own turn
 * before the body is validated.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly policy: CommandPolicy,
    private readonly failures: AuthFailureLimiter,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true; // sockets: SocketAuth
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = await this.authenticate(req);
    req.principal = principal;
    const command = this.reflector.get<SessionCommand | undefined>(
      COMMAND_KEY,
      context.getHandler(),
    );
    this.policy.authorizeAll(principal, command, sessionsOf(req));
    if (command === 'switch' && isObjectOrAbsent(req.body)) {
      req.body = this.policy.constrainSwitch(principal, (req.body ?? {}) as object);
    }
    return true;
  }

  private async authenticate(req: Request): Promise<Principal> {
    const address = req.ip ?? 'unknown';
    this.failures.assertAllowed(address);
    try {
      return this.auth.fromHeaders(req.headers);
    } catch (err) {
      throw (await this.failures.recordFailure(address)) ?? err;
    }
  }
}

/**
 * The sessions the matched route acts on: its `:id`, the id a create names, or the ids a bulk
 * start lists (anything else in them is left for the body pipe to refuse).
 */
function sessionsOf(req: Request): string[] {
  const fromPath = (req.params as Record<string, string | undefined>).id;
  if (fromPath !== undefined) return [fromPath];
  const body = req.body as { session_id?: unknown; session_ids?: unknown } | undefined;
  if (typeof body?.session_id === 'string') return [body.session_id];
  if (Array.isArray(body?.session_ids))
    return body.session_ids.filter((id): id is string => typeof id === 'string');
  return [];
}

/** Anything else is left for the body pipe to refuse. */
function isObjectOrAbsent(body: unknown): boolean {
  return body === undefined || (typeof body === 'object' && body !== null && !Array.isArray(body));
}
