/**
 * The ceiling of `npm run bench:ceiling`: a minimal Nest 11 application on Express with one JSON
 * endpoint and no middleware (no body parser, no logger), built from the project's own
 * dependencies. It answers what GET /v1/time answers, so both write the same bytes. ETag and
 * X-Powered-By are off as in the service: the ceiling is the framework, not its defaults.
 * Started by the bench as `node -r ts-node/register/transpile-only bench/minimal-app.ts <port>`.
 */
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';

@Controller('v1/time')
class TimeController {
  @Get()
  now(): Record<string, unknown> {
    const data = { timestamp_ms: Date.now(), server_version: '2.0.0', drift_tolerance_ms: 50 };
    return { ...data, data };
  }
}

@Module({ controllers: [TimeController] })
class MinimalModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(MinimalModule, {
    bodyParser: false,
    logger: ['error', 'warn'],
  });
  app.disable('x-powered-by');
  app.set('etag', false);
  await app.listen(Number(process.argv[2]), '127.0.0.1');
  // A clean exit, so that BENCH_NODE_ARGS=--cpu-prof writes its profile.
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
