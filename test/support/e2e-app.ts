import { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import Redis from 'ioredis';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';

const LOG_LEVELS: LogLevel[] = ['error', 'warn'];

/**
 * Boots the real AppModule, configured as main.ts does, listening on a free local port.
 * `env` overrides variables for this instance only (several instances may share a process).
 */
export async function startApp(env: Record<string, string> = {}): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(env), {
    bodyParser: false,
    logger: LOG_LEVELS,
    abortOnError: false,
  });
  await configureApp(app);
  await app.listen(0, '127.0.0.1');
  return app;
}

export function baseUrl(app: INestApplication): string {
  const address = app.getHttpServer().address() as { port: number };
  return `http://127.0.0.1:${address.port}`;
}

/** Deletes every key this worker wrote (its own prefix only; never a flush). */
export async function cleanRedis(prefix = process.env.REDIS_KEY_PREFIX as string): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL as string);
  try {
    for (const pattern of [`${prefix}:*`, `{${prefix}}:*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
}

let counter = 0;
/** A session id unique to this run. */
export function uniqueId(label = 's'): string {
  counter += 1;
  return `${label}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
