import { INestApplicationContext, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { Server, ServerOptions } from 'socket.io';
import { corsOrigins } from '../common/http/cors-origins';
import { Env } from '../config/env.validation';
import { RedisConnections } from '../redis/redis-connections';
import { createSocketAdapter, SocketAdapter } from './socket-adapter.factory';

/**
 * Socket.IO on the Redis adapter, so that a change made on any instance reaches every watcher
 * on every instance. Its Redis clients are connected (connectToRedis) before the adapter is
 * installed with app.useWebSocketAdapter, and closed when the app is disposed.
 */
export class RedisIoAdapter extends IoAdapter {
  private readonly logger = new Logger(RedisIoAdapter.name);
  private readonly config: ConfigService<Env, true>;
  private readonly connections: RedisConnections;
  private adapter: SocketAdapter | null = null;

  constructor(app: INestApplicationContext) {
    super(app);
    this.config = app.get(ConfigService<Env, true>);
    this.connections = app.get(RedisConnections);
  }

  async connectToRedis(): Promise<void> {
    this.adapter = await createSocketAdapter(this.connections, this.config, this.logger);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, {
      ...options,
      maxHttpBufferSize: this.config.get('SOCKET_MAX_PAYLOAD_BYTES', { infer: true }),
      pingInterval: this.config.get('SOCKET_PING_INTERVAL_MS', { infer: true }),
      pingTimeout: this.config.get('SOCKET_PING_TIMEOUT_MS', { infer: true }),
      cors: { origin: corsOrigins(this.config.get('CORS_ORIGINS', { infer: true })) },
    }) as Server;
    if (this.adapter) server.adapter(this.adapter.factory);
    return server;
  }

  override async dispose(): Promise<void> {
    await this.adapter?.close();
    this.adapter = null;
  }
}
