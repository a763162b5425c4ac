import { ArgumentsHost, Catch, Logger } from '@nestjs/common';
import { BaseWsExceptionFilter } from '@nestjs/websockets';
import { Socket } from 'socket.io';
import { DomainError } from '../common/errors/domain-error';
import { SocketErrorBody } from './socket-events';

export function toSocketError(exception: unknown): SocketErrorBody {
  if (exception instanceof DomainError) {
    return {
      code: exception.code,
      message: exception.message,
      ...(exception.details && { details: exception.details }),
    };
  }
  return { code: 'INTERNAL_ERROR', message: 'internal error' };
}

/**
 * The socket side of the error contract: a failed command is answered through its
 * acknowledgement as `{ error: { code, message } }` (or a `session:error` event when the client
 * sent no acknowledgement). Nothing a client sends can make the gateway throw.
 */
@Catch()
export class SocketExceptionsFilter extends BaseWsExceptionFilter {
  private readonly logger = new Logger(SocketExceptionsFilter.name);

  override catch(exception: unknown, host: ArgumentsHost): void {
    const args = host.getArgs<unknown[]>();
    const socket = host.switchToWs().getClient<Socket>();
    const error = toSocketError(exception);
    if (error.code === 'INTERNAL_ERROR') {
      this.logger.error(`Socket ${socket.id}: ${(exception as Error)?.stack ?? String(exception)}`);
    }
    const ack = args.find((a): a is (body: unknown) => void => typeof a === 'function');
    if (ack) ack({ error });
    else socket.emit('session:error', error);
  }
}
