import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { PRODUCER_REDIS_CLIENT } from '../state/redis.constants';
import { SessionKeys } from '../state/session-keys';

/**
 * The queues the request path adds to, all on the fail-fast, auto-pipelined producer connection
 * (so that the JobBatcher's jobs of a turn share a write) and the hash-tagged prefix; closed
 * after the HTTP drain, so that in-flight requests can still enqueue.
 */
@Injectable()
export class ProducerQueues implements OnApplicationShutdown {
  private readonly queues: Queue[] = [];

  constructor(
    @Inject(PRODUCER_REDIS_CLIENT) private readonly producer: Redis,
    private readonly keys: SessionKeys,
  ) {}

  open<T>(name: string): Queue<T> {
    const queue = new Queue<T>(name, {
      connection: this.producer,
      prefix: this.keys.queuePrefix(),
    });
    this.queues.push(queue as Queue);
    return queue;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.queues.map((queue) => queue.close()));
  }
}
