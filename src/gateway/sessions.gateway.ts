import { Logger, OnModuleInit, UseFilters, UsePipes } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import { Server, Socket } from 'socket.io';
import { AuthService } from '../auth/auth.service';
import { mayAccess } from '../auth/principal';
import { SessionView } from '../clock/session-view';
import { DomainError } from '../common/errors/domain-error';
import { BodyValidationPipe } from '../common/pipes/body-validation.pipe';
import { assertSessionId } from '../common/pipes/session-id.pipe';
import { TimeSource } from '../common/time/time-source';
import { Env } from '../config/env.validation';
import { SocketSwitchDto } from '../sessions/dto/socket-switch.dto';
import { SessionChange, SessionChangeListener, SessionDeletion } from '../sessions/session-change';
import { SessionChangeFeed } from '../sessions/session-change-feed';
import { SessionsService } from '../sessions/sessions.service';
import { broadcastChange, broadcastDeletion } from './session-broadcast';
import {
  ClientToServerEvents,
  ROOM_PREFIX,
  ServerToClientEvents,
  SocketData,
  sessionRoom,
} from './socket-events';
import { SocketExceptionsFilter, toSocketError } from './socket-exceptions.filter';
import { SocketStats } from './socket-stats';
import { WatcherRegistry } from './watcher-registry';

type AppServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;
type AppSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;

const JOIN_WINDOW_MS = 10_000;
const COMMAND_WINDOW_MS = 1000;

/**
 * One room per session. A client joins at connect (`query.sessionId` / `auth.sessionId`) or with
 * `session:join`, and gets the snapshot at once; after every committed change, from whichever
 * instance made it, the new state goes to the room through the Redis adapter: one publish per
 * change, whatever the number of watchers.
 */
@WebSocketGateway()
@UseFilters(SocketExceptionsFilter)
export class SessionsGateway
  implements OnGatewayInit, OnGatewayConnection, OnModuleInit, SessionChangeListener
{
  private readonly logger = new Logger(SessionsGateway.name);
  private readonly maxJoins: number;
  private readonly maxRooms: number;
  private readonly maxCommands: number;

  @WebSocketServer()
  server!: AppServer;

  constructor(
    private readonly sessions: SessionsService,
    private readonly feed: SessionChangeFeed,
    private readonly time: TimeSource,
    private readonly watchers: WatcherRegistry,
    private readonly stats: SocketStats,
    private readonly auth: AuthService,
    config: ConfigService<Env, true>,
  ) {
    this.maxJoins = config.get('SOCKET_MAX_JOINS_PER_10S', { infer: true });
    this.maxRooms = config.get('SOCKET_MAX_ROOMS', { infer: true });
    this.maxCommands = config.get('SOCKET_MAX_COMMANDS_PER_S', { infer: true });
  }

  onModuleInit(): void {
    this.feed.subscribe(this);
  }

  /** When the last local socket leaves a session's room, this instance stops watching it. */
  afterInit(server: AppServer): void {
    server.use((socket, next) => {
      try {
        const auth = socket.handshake.auth as Record<string, unknown> | undefined;
        socket.data.principal = this.auth.fromToken(auth?.token);
        next();
      } catch (err) {
        next(Object.assign(new Error('UNAUTHORIZED'), { data: toSocketError(err) }));
      }
    });
    this.stats.countWith(() => server.engine?.clientsCount ?? 0);
    this.watchers.track(() =>
      [...server.of('/').adapter.rooms.keys()]
        .filter((room) => room.startsWith(ROOM_PREFIX))
        .map((room) => room.slice(ROOM_PREFIX.length)),
    );
    server.of('/').adapter.on('delete-room', (room: string) => {
      if (room.startsWith(ROOM_PREFIX)) this.watchers.remove(room.slice(ROOM_PREFIX.length));
    });
  }

  async handleConnection(socket: AppSocket): Promise<void> {
    socket.data.joinTimes = [];
    socket.data.commandTimes = [];
    const auth = socket.handshake.auth as Record<string, unknown> | undefined;
    const requested = auth?.sessionId ?? socket.handshake.query.sessionId;
    if (requested === undefined) return;
    try {
      await this.join(socket, requested);
    } catch (err) {
      socket.emit('session:error', toSocketError(err));
    }
  }

  @SubscribeMessage('time:sync')
  timeSync(): { server_time_ms: number } {
    return { server_time_ms: this.time.now() };
  }

  @SubscribeMessage('session:join')
  async onJoin(
    @ConnectedSocket() socket: AppSocket,
    @MessageBody() body: unknown,
  ): Promise<{ state: SessionView }> {
    return { state: await this.join(socket, sessionIdField(body)) };
  }

  /**
   * Ends a turn over the socket, for game clients that hold one anyway: the same rules, result
   * and errors as POST /v1/sessions/:id/switch, answered by acknowledgement.
   */
  @SubscribeMessage('session:switch')
  @UsePipes(BodyValidationPipe)
  async onSwitch(
    @ConnectedSocket() socket: AppSocket,
    @MessageBody() dto: SocketSwitchDto,
  ): Promise<{ data: SessionView & { expired_participant_id?: string } }> {
    const { session_id: sessionId, ...command } = dto;
    const principal = socket.data.principal;
    if (!mayAccess(principal, sessionId)) {
      throw new DomainError('FORBIDDEN', `this token does not give access to session ${sessionId}`);
    }
    this.admitCommand(socket);
    if (principal.participantId !== null) {
      if (
        command.current_participant_id !== undefined &&
        command.current_participant_id !== principal.participantId
      ) {
        throw new DomainError(
          'FORBIDDEN',
          `this token may only end the turn of ${principal.participantId}`,
        );
      }
      command.current_participant_id = principal.participantId;
    }
    const outcome = await this.sessions.execute(sessionId, { kind: 'switch', ...command });
    const data: SessionView & { expired_participant_id?: string } = outcome.view;
    if (outcome.expired_participant_id !== undefined)
      data.expired_participant_id = outcome.expired_participant_id;
    return { data };
  }

  @SubscribeMessage('session:leave')
  async onLeave(
    @ConnectedSocket() socket: AppSocket,
    @MessageBody() body: unknown,
  ): Promise<{ ok: true }> {
    await socket.leave(sessionRoom(assertSessionId(sessionIdField(body), 'session_id')));
    return { ok: true };
  }

  onChange(change: SessionChange): void {
    broadcastChange(this.server, change);
  }

  onDelete(deletion: SessionDeletion): void {
    broadcastDeletion(this.server, deletion);
  }

  /** Joins first, then reads: an update racing the join arrives with a higher version. */
  private async join(socket: AppSocket, raw: unknown): Promise<SessionView> {
    const sessionId = assertSessionId(raw, 'session_id');
    const room = sessionRoom(sessionId);
    if (!mayAccess(socket.data.principal, sessionId)) {
      throw new DomainError('FORBIDDEN', `this token does not give access to session ${sessionId}`);
    }
    this.admit(socket, room);
    await socket.join(room);
    try {
      await this.watchers.add(sessionId);
      const view = await this.sessions.get(sessionId);
      socket.emit('session:state', {
        session_id: sessionId,
        version: view.version,
        server_time_ms: view.server_time_ms,
        state: view,
      });
      return view;
    } catch (err) {
      await socket.leave(room);
      throw err;
    }
  }

  /** A socket may send only so many commands per second. */
  private admitCommand(socket: AppSocket): void {
    const now = Date.now();
    const recent = socket.data.commandTimes.filter((t) => now - t < COMMAND_WINDOW_MS);
    if (recent.length >= this.maxCommands) {
      throw new DomainError('RATE_LIMITED', `at most ${this.maxCommands} commands per second`);
    }
    recent.push(now);
    socket.data.commandTimes = recent;
  }

  /** A socket may join only so often, and watch only so many sessions. */
  private admit(socket: AppSocket, room: string): void {
    const now = Date.now();
    const recent = socket.data.joinTimes.filter((t) => now - t < JOIN_WINDOW_MS);
    if (recent.length >= this.maxJoins) {
      throw new DomainError('RATE_LIMITED', `at most ${this.maxJoins} joins per 10 s`);
    }
    socket.data.joinTimes = [...recent, now];
    if (!socket.rooms.has(room) && socket.rooms.size > this.maxRooms) {
      throw new DomainError('RATE_LIMITED', `a socket may watch at most ${this.maxRooms} sessions`);
    }
  }
}

function sessionIdField(body: unknown): unknown {
  return typeof body === 'object' && body !== null
    ? (body as { session_id?: unknown }).session_id
    : undefined;
}
