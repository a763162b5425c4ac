import { Logger } from '@nestjs/common';
import Redis, { RedisOptions } from 'ioredis';

const logger = new Logger('Redis');

/** How long boot waits for a first connection before going on without one (not ready). */
const BOOT_WAIT_MS = 5000;

/**
 * A client for the request path: commands fail at once while Redis is away (no offline queue,
 * no retries, a command timeout), so a request answers 503 instead of hanging; the client
 * itself reconnects for ever in the background.
 */
export function requestPathOptions(commandTimeoutMs: number): RedisOptions {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMs,
    // The commands of one tick share a write and Redis reads them together: on the state client
    // this cut Redis' CPU per switch by about a third (bench/README.md) at no cost to the app's.
    enableAutoPipelining: true,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2000),
  };
}

export async function connectRedis(
  url: string,
  options: RedisOptions,
  name: string,
): Promise<Redis> {
  const client = new Redis(url, { ...options, connectionName: name });
  client.on('error', (err: Error) => logger.warn(`${name}: ${err.message}`));
  await waitForReady(client, BOOT_WAIT_MS).catch(() =>
    logger.error(`${name}: Redis is not answering at boot; starting unready and reconnecting`),
  );
  return client;
}

export function waitForReady(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error('timed out waiting for Redis'));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}

export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  await client.quit().catch(() => client.disconnect());
}
