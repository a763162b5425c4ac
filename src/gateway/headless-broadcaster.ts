import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Server } from 'socket.io';
import { Env } from '../config/env.validation';
import {
  LowTimeWarning,
  SessionChange,
  SessionChangeListener,
  SessionDeletion,
} from '../state/session-change';
import { SessionChangeFeed } from '../sessions/session-change-feed';
import { RedisConnections } from '../redis/redis-connections';
import { broadcastChange, broadcastDeletion, broadcastLowTime } from './session-broadcast';
import { createSocketAdapter, SocketAdapter } from './socket-adapter.factory';
import { ServerToClientEvents } from './socket-events';

/**
 * For a process without HTTP (`npm run start:worker`): a Socket.IO server that listens on
 * nothing and only publishes through the Redis adapter, so that what the workers change (a
 * deadline firing) still reaches every watcher on the API instances.
 */
@Injectable()
export class HeadlessBroadcaster
  implements SessionChangeListener, OnModuleInit, OnApplicationShutdown
{
  private readonly logger = new Logger(HeadlessBroadcaster.name);
  private server: Server<Record<string, never>, ServerToClientEvents> | null = null;
  private adapter: SocketAdapter | null = null;

  constructor(
    private readonly feed: SessionChangeFeed,
    private readonly config: ConfigService<Env, true>,
    private readonly connections: RedisConnections,
  ) {}

  async onModuleInit(): Promise<void> {
    this.adapter = await createSocketAdapter(this.connections, this.config, this.logger);
    this.server = new Server({ serveClient: false });
    this.server.adapter(this.adapter.factory);
    this.feed.subscribe(this);
  }

  onChange(change: SessionChange): void {
    if (this.server) broadcastChange(this.server, change);
  }

  onDelete(deletion: SessionDeletion): void {
    if (this.server) broadcastDeletion(this.server, deletion);
  }

  onLowTime(warning: LowTimeWarning): void {
    if (this.server) broadcastLowTime(this.server, warning);
  }

  async onApplicationShutdown(): Promise<void> {
    this.server = null; // it never listened: nothing to close but the adapter's clients
    await this.adapter?.close();
  }
}
