import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import { withTimeout } from '../common/time/with-timeout';
import { Env } from '../config/env.validation';
import { SessionsGateway } from '../gateway/sessions.gateway';
import { ShutdownState } from './shutdown-state';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The order of a graceful stop. First, in onModuleDestroy (before every other shutdown hook):
 * readiness goes 503, sockets are told and let go (they reconnect elsewhere), new connections
 * are refused and in-flight requests finish. Then the workers finish their active jobs
 * (beforeApplicationShutdown), and only then do the producers, Redis and PostgreSQL close
 * (onApplicationShutdown). main.ts bounds the whole by SHUTDOWN_TIMEOUT_MS.
 */
@Injectable()
export class GracefulShutdown implements OnModuleDestroy {
  private readonly timeoutMs: number;
  private readonly drainDelayMs: number;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly state: ShutdownState,
    private readonly gateway: SessionsGateway,
    config: ConfigService<Env, true>,
  ) {
    this.timeoutMs = config.get('SHUTDOWN_TIMEOUT_MS', { infer: true });
    this.drainDelayMs = config.get('SHUTDOWN_DRAIN_MS', { infer: true });
  }

  async onModuleDestroy(): Promise<void> {
    this.state.begin();
    if (this.drainDelayMs > 0) await sleep(this.drainDelayMs);
    this.releaseSockets();
    await this.drainHttp();
  }

  /**
   * Tells the sockets, then closes their transports without a disconnect packet: a stock
   * Socket.IO client takes a `transport close` for a network failure and reconnects (through
   * the load balancer, to another instance), where `disconnect(true)` would end it for good.
   */
  private releaseSockets(): void {
    const server = this.gateway.server;
    if (!server) return;
    server.local.emit('server:shutdown', { reconnect: true });
    // The engine connection's close() flushes the shutdown event first.
    for (const socket of server.of('/').sockets.values()) socket.conn.close();
  }

  /** Stops accepting, lets in-flight requests finish, then drops what is left. */
  private async drainHttp(): Promise<void> {
    const http = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!http?.listening) return;
    const closed = new Promise<void>((resolve) => http.close(() => resolve()));
    http.closeIdleConnections();
    const idleSweep = setInterval(() => http.closeIdleConnections(), 50);
    // withTimeout clears its timer: a bound left pending would hold the process open.
    await withTimeout(closed, Math.max(0, this.timeoutMs - 1000)).catch(() => undefined);
    clearInterval(idleSweep);
    http.closeAllConnections();
  }
}
