import { ConfigService } from '@nestjs/config';
import { Env } from '../config/env.validation';

/** Injection token of the RedisTopology read from config. */
export const REDIS_TOPOLOGY = Symbol('REDIS_TOPOLOGY');

/** Where Redis is: one server (REDIS_URL), or a Redis Cluster found from its seed nodes. */
export type RedisTopology = { commandTimeoutMs: number } & (
  { kind: 'standalone'; url: string } | { kind: 'cluster'; nodes: { host: string; port: number }[] }
);

/** `host:port,host:port` into seed nodes; REDIS_URL is then ignored. */
export function clusterNodesOf(list: string): { host: string; port: number }[] {
  return list
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => {
      const at = item.lastIndexOf(':');
      return { host: item.slice(0, at), port: Number(item.slice(at + 1)) };
    });
}

export function topologyOf(config: ConfigService<Env, true>): RedisTopology {
  const commandTimeoutMs = config.get('REDIS_COMMAND_TIMEOUT_MS', { infer: true });
  const nodes = config.get('REDIS_CLUSTER_NODES', { infer: true });
  if (nodes) return { kind: 'cluster', nodes: clusterNodesOf(nodes), commandTimeoutMs };
  return { kind: 'standalone', url: config.get('REDIS_URL', { infer: true }), commandTimeoutMs };
}
