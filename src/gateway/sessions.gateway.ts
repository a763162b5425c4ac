import { Logger, UseFilters, UsePipes } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import { CommandPolicy } from '../auth/command-policy';
import { CommandService } from '../commits/command.service';
import { SessionView } from '@synckairos/clock';
import { DomainError } from '../common/errors/domain-error';
import { BodyValidationPipe } from '../common/pipes/body-validation.pipe';
import { DEPTH_MESSAGE, nestsDeeperThan } from '../common/pipes/json-inspection';
import { assertSessionId } from '../common/pipes/session-id.pipe';
import { TimeSource } from '../common/time/time-source';
import { SocketSwitchDto } from '../sessions/dto/socket-switch.dto';
import { SessionBroadcaster } from './session-broadcaster';
import { SocketAuth } from './socket-auth';
import { AppServer, AppSocket, ROOM_PREFIX, sessionRoom } from './socket-events';
import { SocketExceptionsFilter, toSocketError } from './socket-exceptions.filter';
import { SocketQuota } from './socket-quota';
import { SocketStats } from './socket-stats';
import { WatcherRegistry } from './watcher-registry';

type SwitchData = SessionView & { expired_participant_id?: string };

/**
 * One room per session. A client joins at connect (`query.sessionId` / `auth.sessionId`) or with
 * `session:join`, and gets the snapshot at once; after every committed change, from whichever
 * instance made it, the new state goes to the room through the Redis adapter: one publish per
 * change, whatever the number of watchers (SessionBroadcaster, which publishes through this
 * gateway's server). Every inbound event first passes `inbound`: the
 * token still valid (SocketAuth), the socket's quotas (SocketQuota), a payload of sane depth.
 */
@WebSocketGateway()
@UseFilters(SocketExceptionsFilter)
export class SessionsGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(SessionsGateway.name);

  @WebSocketServer()
  server!: AppServer;

  constructor(
    private readonly sessions: CommandService,
    private readonly broadcaster: SessionBroadcaster,
    private readonly time: TimeSource,
    private readonly watchers: WatcherRegistry,
    private readonly stats: SocketStats,
    private readonly socketAuth: SocketAuth,
    private readonly quota: SocketQuota,
    private readonly policy: CommandPolicy,
  ) {}

  /**
   * The handshake authenticates; the last local socket leaving a room stops the watching; the
   * pushes go out through this server.
   */
  afterInit(server: AppServer): void {
    this.broadcaster.publishThrough(server);
    server.use((socket, next) => {
      this.socketAuth.authenticate(socket).then(
        (principal) => {
          socket.data.principal = principal;
          next();
        },
        (err: unknown) =>
          next(Object.assign(new Error(connectError(err)), { data: toSocketError(err) })),
      );
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
    socket.data.quota = this.quota.fresh();
    socket.use((packet, next) => this.inbound(socket, packet, next));
    this.socketAuth.armExpiry(socket);
    const auth = socket.handshake.auth as Record<string, unknown> | undefined;
    const requested = auth?.sessionId ?? socket.handshake.query.sessionId;
    if (requested === undefined) return;
    try {
      await this.join(socket, requested);
    } catch (err) {
      socket.emit('session:error', toSocketError(err));
    }
  }

  handleDisconnect(socket: AppSocket): void {
    this.socketAuth.release(socket);
  }

  @SubscribeMessage('time:sync')
  timeSync(): { server_time_ms: number } {
    return { server_time_ms: this.time.trustedNow() };
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
  ): Promise<{ data: SwitchData }> {
    const { session_id: sessionId, idempotency_key: key, ...body } = dto;
    const principal = socket.data.principal;
    this.policy.authorize(principal, 'switch', sessionId);
    const command = this.policy.constrainSwitch(principal, body);
    const outcome = await this.sessions.execute(sessionId, { kind: 'switch', ...command }, key);
    const data: SwitchData = outcome.view;
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

  /**
   * Before any handler: a refused event is answered through its acknowledgement (or
   * `session:error`) and goes no further; a flooding socket is dropped.
   */
  private inbound(socket: AppSocket, packet: unknown[], next: (err?: Error) => void): void {
    try {
      this.socketAuth.assertCurrent(socket);
      const admission = this.quota.admit(socket.data.quota, packet[0]);
      if (!admission.ok) {
        if (admission.drop) {
          this.logger.warn(`Socket ${socket.id} dropped: it kept sending past its quota`);
          socket.disconnect(true);
          return;
        }
        throw admission.error;
      }
      if (packet.slice(1).some((arg) => nestsDeeperThan(arg)))
        throw DomainError.invalidField('body', DEPTH_MESSAGE);
    } catch (err) {
      const ack = packet.find((a): a is (body: unknown) => void => typeof a === 'function');
      if (ack) ack({ error: toSocketError(err) });
      else socket.emit('session:error', toSocketError(err));
      return;
    }
    next();
  }

  /** Joins first, then reads: an update racing the join arrives with a higher version. */
  private async join(socket: AppSocket, raw: unknown): Promise<SessionView> {
    const sessionId = assertSessionId(raw, 'session_id');
    const room = sessionRoom(sessionId);
    this.policy.authorize(socket.data.principal, 'watch', sessionId);
    this.quota.admitJoin(socket.data.quota, socket.rooms, room);
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
}

/** The handshake refusal's message: the code, as clients already read it (`UNAUTHORIZED`). */
function connectError(err: unknown): string {
  return err instanceof DomainError ? err.code : 'UNAUTHORIZED';
}

function sessionIdField(body: unknown): unknown {
  return typeof body === 'object' && body !== null
    ? (body as { session_id?: unknown }).session_id
    : undefined;
}
