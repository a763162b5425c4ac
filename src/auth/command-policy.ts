import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { SessionCommand } from './command.decorator';
import { mayAccess, Principal } from './principal';

/** What a player's token may do: read its sessions, read their events, watch them, end its turn. */
export const PLAYER_COMMANDS: ReadonlySet<SessionCommand> = new Set<SessionCommand>([
  'read',
  'read_events',
  'watch',
  'switch',
]);

interface SwitchBody {
  current_participant_id?: unknown;
}

/**
 * The one statement of who may run which command, for REST (AuthGuard) and sockets
 * (SessionsGateway) alike. A token restricted to some sessions acts on those only; a player's
 * token runs PLAYER_COMMANDS only, and its switch ends its own turn or nothing. A handler that
 * names no command is open to unrestricted credentials only.
 */
@Injectable()
export class CommandPolicy {
  /** Throws 403 FORBIDDEN unless `principal` may run `command` on `sessionId`. */
  authorize(
    principal: Principal,
    command: SessionCommand | undefined,
    sessionId: string | undefined,
  ): void {
    if (sessionId !== undefined && !mayAccess(principal, sessionId)) {
      throw forbidden(`this token does not give access to session ${sessionId}`);
    }
    if (command === undefined) {
      if (principal.sessions !== null || principal.participantId !== null)
        throw forbidden('this token may not do this');
      return;
    }
    if (principal.participantId !== null && !PLAYER_COMMANDS.has(command)) {
      throw forbidden(`a player token may not ${command.replace('_', ' ')}`);
    }
  }

  /**
   * A command on several sessions (a bulk start): refused as a whole unless the principal may
   * run it on every one, so that a round never starts in part for want of access.
   */
  authorizeAll(
    principal: Principal,
    command: SessionCommand | undefined,
    sessionIds: readonly string[],
  ): void {
    const denied = sessionIds.filter((id) => !mayAccess(principal, id));
    if (denied.length > 0) {
      const named = denied.slice(0, 5).join(', ') + (denied.length > 5 ? ', …' : '');
      throw forbidden(
        `this token does not give access to session${denied.length > 1 ? 's' : ''} ${named}`,
      );
    }
    this.authorize(principal, command, undefined);
  }

  /**
   * A player's switch: it may only end its own turn, so it always carries its participant as
   * `current_participant_id` (a turn that is not its own is then 409 NOT_ACTIVE_PARTICIPANT).
   */
  constrainSwitch<T extends SwitchBody>(principal: Principal, body: T): T {
    const own = principal.participantId;
    if (own === null) return body;
    if (body.current_participant_id !== undefined && body.current_participant_id !== own)
      throw forbidden(`this token may only end the turn of ${own}`);
    return { ...body, current_participant_id: own };
  }
}

function forbidden(message: string): DomainError {
  return new DomainError('FORBIDDEN', message);
}
