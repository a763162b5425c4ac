import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import { Env } from '../config/env.validation';
import { RedisConnections } from '../redis/redis-connections';

export type AdapterFactory =
  ReturnType<typeof createAdapter> | ReturnType<typeof createShardedAdapter>;

export interface SocketAdapter {
  factory: AdapterFactory;
  close(): Promise<void>;
}

/**
 * The Socket.IO Redis adapter on its own publishing and subscribing clients (connected before
 * it is returned). The classic adapter is the default: it works on any Redis, standalone or
 * managed, with one channel per namespace. SOCKET_ADAPTER=sharded uses Redis 7 sharded pub/sub
 * (a channel per room), which spreads the traffic over the shards of a Redis Cluster instead
 * of sending every message to every node.
 */
export async function createSocketAdapter(
  connections: RedisConnections,
  config: ConfigService<Env, true>,
  logger: Logger,
): Promise<SocketAdapter> {
  const sharded = config.get('SOCKET_ADAPTER', { infer: true }) === 'sharded';
  const pub = await connections.open('io-pub', 'pubsub');
  // On a cluster, SSUBSCRIBE goes to the master of each channel's slot: one subscriber each.
  const sub = await connections.open('io-sub', 'pubsub', { shardedSubscribers: sharded });
  const key = `${config.get('REDIS_KEY_PREFIX', { infer: true })}:socket.io`;
  const factory = sharded
    ? createShardedAdapter(pub, sub, { channelPrefix: key, subscriptionMode: 'dynamic' })
    : createAdapter(pub, sub, { key });
  logger.log(`Socket.IO ${sharded ? 'sharded' : 'classic'} Redis adapter ready`);
  return {
    factory,
    close: async () => void (await Promise.all([connections.close(pub), connections.close(sub)])),
  };
}
