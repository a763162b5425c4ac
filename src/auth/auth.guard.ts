import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { DomainError } from '../common/errors/domain-error';
import { PLAYER_ROUTE, PUBLIC_ROUTE } from './auth.decorators';
import { AuthService } from './auth.service';
import { mayAccess, Principal } from './principal';

export type AuthenticatedRequest = Request & { principal?: Principal };

/**
 * Every route needs credentials unless marked @Public (401 without them). A token restricted
 * to some sessions may only touch those (403); a player's token may only call @PlayerAllowed
 * routes, and its switch ends its own turn or nothing.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = this.auth.fromHeaders(req.headers);
    req.principal = principal;
    const sessionId = sessionOf(req);
    if (sessionId !== undefined && !mayAccess(principal, sessionId)) {
      throw new DomainError('FORBIDDEN', `this token does not give access to session ${sessionId}`);
    }
    if (principal.participantId !== null)
      this.authorizePlayer(context, req, principal.participantId);
    return true;
  }

  private authorizePlayer(
    context: ExecutionContext,
    req: AuthenticatedRequest,
    participantId: string,
  ): void {
    const allowed = this.reflector.getAllAndOverride<boolean>(PLAYER_ROUTE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!allowed) throw new DomainError('FORBIDDEN', 'a player token may not do this');
    if (!req.path.endsWith('/switch')) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (
      body.current_participant_id !== undefined &&
      body.current_participant_id !== participantId
    ) {
      throw new DomainError('FORBIDDEN', `this token may only end the turn of ${participantId}`);
    }
    req.body = { ...body, current_participant_id: participantId };
  }
}

function sessionOf(req: Request): string | undefined {
  const fromPath = (req.params as Record<string, string | undefined>).id;
  if (fromPath !== undefined) return fromPath;
  const body = req.body as { session_id?: unknown } | undefined;
  return typeof body?.session_id === 'string' ? body.session_id : undefined;
}
