import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Server } from 'socket.io';
import { Env } from '../config/env.validation';
import { RedisConnections } from '../redis/redis-connections';
import { createSocketAdapter, SocketAdapter } from './socket-adapter.factory';
import { SessionBroadcaster } from './session-broadcaster';
import { ServerToClientEvents } from './socket-events';

/**
 * For a process without HTTP (`npm run start:worker`): a Socket.IO server that listens on
 * nothing and only publishes through the Redis adapter, so that what the workers change (a
 * deadline firing) still reaches every watcher on the API instances.
 */
@Injectable()
export class HeadlessBroadcaster implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(HeadlessBroadcaster.name);
  private adapter: SocketAdapter | null = null;

  constructor(
    private readonly broadcaster: SessionBroadcaster,
    private readonly config: ConfigService<Env, true>,
    private readonly connections: RedisConnections,
  ) {}

  async onModuleInit(): Promise<void> {
    this.adapter = await createSocketAdapter(this.connections, this.config, this.logger);
    const server = new Server<Record<string, never>, ServerToClientEvents>({ serveClient: false });
    server.adapter(this.adapter.factory);
    this.broadcaster.publishThrough(server);
  }

  async onApplicationShutdown(): Promise<void> {
    // It never listened: nothing to close but the adapter's clients.
    this.broadcaster.publishThrough(null);
    await this.adapter?.close();
  }
}
