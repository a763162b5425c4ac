import { RedisOptions } from 'ioredis';

/** Worker connections: wait through outages (BullMQ requires `maxRetriesPerRequest: null`). */
export function workerConnectionOptions(url: string): RedisOptions & { url: string } {
  return {
    url,
    // BullMQ names its blocking connections itself; this names the others (CLIENT LIST).
    connectionName: 'synckairos:queue',
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    // Short waits between attempts: workers resume soon after Redis returns, and the windows in
    // which a worker cannot be closed cleanly (see stopConsumer) stay short.
    retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 500),
  };
}
