import { INestApplication, NotFoundException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import http, { IncomingMessage } from 'node:http';
import { AddressInfo } from 'node:net';
import { applyServerTimeouts } from './server-timeouts';

/** What operators need and the public must not reach: metrics, details, docs, the queues. */
export const INTERNAL_ENDPOINTS = [
  '/metrics',
  '/health/details',
  '/api-docs',
  '/api-docs.json',
  '/asyncapi.json',
  '/admin/queues',
] as const;

/** Requests that came in through the internal listener. */
const internalRequests = new WeakSet<IncomingMessage>();

/**
 * With INTERNAL_PORT set, the internal endpoints answer 404 on the public port, as a route that
 * does not exist would. Mounted on the same Express router that serves them (same matching:
 * case, trailing slash), before any of them, so no spelling of a path gets around it.
 */
export function keepInternalEndpointsOffPublicPort(app: INestApplication): void {
  const guard = (req: Request, _res: Response, next: NextFunction) => {
    if (internalRequests.has(req)) next();
    else next(new NotFoundException(`Cannot ${req.method} ${req.originalUrl.split('?')[0]}`));
  };
  for (const path of INTERNAL_ENDPOINTS) app.use(path, guard);
}

/**
 * The internal listener: the same application (every route), on its own port, for Prometheus,
 * operators and the docs. It closes when the application's own server does.
 */
export async function listenInternal(
  app: INestApplication,
  port: number,
  host: string,
): Promise<http.Server> {
  const handler = app.getHttpAdapter().getInstance() as http.RequestListener;
  const server = http.createServer((req, res) => {
    internalRequests.add(req);
    handler(req, res);
  });
  applyServerTimeouts(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  (app.getHttpServer() as http.Server).once('close', () => {
    server.close();
    server.closeAllConnections();
  });
  return server;
}

export function portOf(server: http.Server): number {
  return (server.address() as AddressInfo).port;
}
