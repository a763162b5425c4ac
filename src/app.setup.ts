import { INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import http from 'node:http';
import { answerUnreadableBodies, refuseDeepBodies } from './common/http/body-parsing';
import { corsOrigins } from './common/http/cors-origins';
import {
  keepInternalEndpointsOffPublicPort,
  listenInternal,
} from './common/http/internal-endpoints';
import { setUpOpenApi } from './common/openapi/openapi';
import { Env } from './config/env.validation';
import { RedisIoAdapter } from './gateway/redis-io.adapter';

/** Largest request body accepted; a larger one is a 400. */
export const BODY_LIMIT = '256kb';

/**
 * What main.ts and the end-to-end tests both need, so that tests run the app as production
 * does. The app must be created with `bodyParser: false`; the Socket.IO adapter's Redis
 * clients are connected before it is installed.
 */
export async function configureApp(app: INestApplication): Promise<void> {
  app.useLogger(app.get(Logger));
  const express = app as NestExpressApplication;
  const config = app.get(ConfigService<Env, true>);
  if (config.get('INTERNAL_PORT', { infer: true }) !== 0) keepInternalEndpointsOffPublicPort(app);
  express.useBodyParser('json', { limit: BODY_LIMIT, strict: true });
  app.use(answerUnreadableBodies);
  app.use(refuseDeepBodies);
  express.disable('x-powered-by');
  // Every answer is computed at server_time_ms: an ETag (a hash of each body) buys nothing.
  express.set('etag', false);
  if (config.get('TRUST_PROXY', { infer: true })) express.set('trust proxy', true);
  app.use(helmet());
  app.enableCors({ origin: corsOrigins(config.get('CORS_ORIGINS', { infer: true })) });
  setUpOpenApi(app);
  const io = new RedisIoAdapter(app);
  await io.connectToRedis();
  app.useWebSocketAdapter(io);
  app.enableShutdownHooks();
}

/**
 * After `app.listen`: the internal endpoints' own listener when INTERNAL_PORT is set (`port`
 * overrides it, e.g. 0 in tests); null otherwise.
 */
export async function listenInternalPort(
  app: INestApplication,
  port?: number,
): Promise<http.Server | null> {
  const config = app.get(ConfigService<Env, true>);
  const configured = config.get('INTERNAL_PORT', { infer: true });
  if (configured === 0) return null;
  return listenInternal(app, port ?? configured, config.get('HOST', { infer: true }));
}
