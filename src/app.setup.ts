import { INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import cors from 'cors';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import http from 'node:http';
import type { Logger as Pino } from 'pino';
import { AppModule } from './app.module';
import { answerUnreadableBodies, refuseDeepBodies } from './common/http/body-parsing';
import { corsOrigins } from './common/http/cors-origins';
import {
  keepInternalEndpointsOffPublicPort,
  listenInternal,
} from './common/http/internal-endpoints';
import { FinishedHook, headersSetBy, pipelineHead } from './common/http/pipeline-head';
import { applyServerTimeouts } from './common/http/server-timeouts';
import { RequestLog } from './common/logging/request-log';
import { ROOT_LOGGER } from './common/logging/root-logger';
import { setUpOpenApi } from './common/openapi/openapi';
import { Env } from './config/env.validation';
import { RedisIoAdapter } from './gateway/redis-io.adapter';
import { HttpMetrics } from './metrics/http-metrics';

/** Largest request body accepted; a larger one is a 400. */
export const BODY_LIMIT = '256kb';

/**
 * The parts of the request pipeline that configureApp installs. Production and the tests install
 * every one; only bench/ceiling (its breakdown) builds an app without one, to measure its cost.
 */
export type PipelinePart = 'logging' | 'metrics' | 'security-headers' | 'cors';
const ALL_PARTS: ReadonlySet<PipelinePart> = new Set<PipelinePart>();

/** The API application as main.ts runs it: `env` overrides variables for this instance only. */
export async function createApp(
  env: Record<string, string> = {},
  without: ReadonlySet<PipelinePart> = ALL_PARTS,
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(env), {
    bodyParser: false,
    bufferLogs: true,
  });
  await configureApp(app, without);
  return app;
}

/**
 * What main.ts and the end-to-end tests both need, so that tests run the app as production
 * does. The app must be created with `bodyParser: false`; the Socket.IO adapter's Redis clients
 * are connected before it is installed.
 */
export async function configureApp(
  app: INestApplication,
  without: ReadonlySet<PipelinePart> = ALL_PARTS,
): Promise<void> {
  app.useLogger(app.get(Logger));
  const express = app as NestExpressApplication;
  const config = app.get(ConfigService<Env, true>);
  app.use(pipelineHead(headParts(app, config, without)));
  if (config.get('INTERNAL_PORT', { infer: true }) !== 0) keepInternalEndpointsOffPublicPort(app);
  express.useBodyParser('json', { limit: BODY_LIMIT, strict: true });
  app.use(answerUnreadableBodies);
  app.use(refuseDeepBodies);
  express.disable('x-powered-by');
  // Every answer is computed at server_time_ms: an ETag (a hash of each body) buys nothing.
  express.set('etag', false);
  if (config.get('TRUST_PROXY', { infer: true })) express.set('trust proxy', true);
  setUpOpenApi(app);
  const io = new RedisIoAdapter(app);
  await io.connectToRedis();
  app.useWebSocketAdapter(io);
  app.enableShutdownHooks();
  applyServerTimeouts(app.getHttpServer() as http.Server);
}

/**
 * Request ids and the request log, helmet's headers and CORS (both computed once from their
 * configuration), and the HTTP metrics: the head of the pipeline, in one middleware.
 */
function headParts(
  app: INestApplication,
  config: ConfigService<Env, true>,
  without: ReadonlySet<PipelinePart>,
) {
  const finished: FinishedHook[] = [];
  const log = new RequestLog(app.get<Pino>(ROOT_LOGGER));
  if (!without.has('logging') && log.active)
    finished.push((req, res, ms) => log.finished(req, res, ms));
  if (!without.has('metrics')) finished.push(app.get(HttpMetrics).record);
  const corsMiddleware = cors({ origin: corsOrigins(config.get('CORS_ORIGINS', { infer: true })) });
  return {
    requestIds: !without.has('logging'),
    securityHeaders: without.has('security-headers') ? [] : headersSetBy(helmet()),
    cors: without.has('cors')
      ? undefined
      : { middleware: corsMiddleware, withoutOrigin: headersSetBy(corsMiddleware) },
    finished,
  };
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
