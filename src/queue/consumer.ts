import { Logger } from '@nestjs/common';
import { Worker } from 'bullmq';

/** How long a worker may take to finish its active jobs on shutdown before it is let go. */
const CLOSE_TIMEOUT_MS = 5000;

/** Starts a BullMQ worker created with `autorun: false`, at the configured concurrency. */
export function startConsumer(worker: Worker, concurrency: number, logger: Logger): void {
  worker.concurrency = concurrency;
  // An 'error' nobody listens to throws: a Redis that lost a job the worker held (restarted
  // empty) would take the process down. The worker goes on by itself; say it and carry on.
  if (worker.listenerCount('error') === 0)
    worker.on('error', (err: Error) => logger.warn(`${worker.name} worker: ${err.message}`));
  worker.run().catch((err: Error) => logger.error(`${worker.name} worker stopped: ${err.message}`));
}

/**
 * Closing a worker whose connections are between two reconnection attempts hangs (ioredis then
 * never emits 'end'), so a worker that is reconnecting is first given a moment to get there.
 */
async function untilConnected(worker: Worker, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  const client = await worker.client;
  while ((client as { status?: string }).status === 'reconnecting' && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // The blocking connection reconnects on the same schedule; give it a beat to follow.
  await new Promise((resolve) => setTimeout(resolve, 100));
}

/**
 * Lets the worker finish its active jobs, but not for ever: a worker whose Redis connection is
 * between two reconnection attempts never sees it end (ioredis emits no 'end' then), so after
 * the timeout it is closed by force. Its unfinished jobs stall and another worker retries them;
 * every consumer here is idempotent.
 */
export async function stopConsumer(worker: Worker, logger: Logger): Promise<void> {
  await untilConnected(worker, CLOSE_TIMEOUT_MS);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), CLOSE_TIMEOUT_MS);
  });
  const outcome = await Promise.race([worker.close(), timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    logger.warn(
      `${worker.name} worker did not stop within ${CLOSE_TIMEOUT_MS} ms; closing it by force`,
    );
    await Promise.race([worker.close(true), new Promise((resolve) => setTimeout(resolve, 1000))]);
  }
}
