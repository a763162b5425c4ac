import { ConfigService } from '@nestjs/config';
import { Env } from '../config/env.validation';

/** Injection token of the RedisTopology read from config. */
export const REDIS_TOPOLOGY = Symbol('REDIS_TOPOLOGY');

/**
 * Where Redis is: one server (REDIS_URL), a Redis Cluster found from its seed nodes, or the
 * primary that Sentinels name (REDIS_URL then gives only the password, user, db and TLS).
 */
export type RedisTopology = { commandTimeoutMs: number } & (
  | { kind: 'standalone'; url: string }
  | { kind: 'cluster'; nodes: HostPort[] }
  | { kind: 'sentinel'; sentinels: HostPort[]; name: string; url: string }
);

export interface HostPort {
  host: string;
  port: number;
}

/** `host:port,host:port` into addresses. */
export function hostPortsOf(list: string): HostPort[] {
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
  const url = config.get('REDIS_URL', { infer: true });
  const nodes = config.get('REDIS_CLUSTER_NODES', { infer: true });
  if (nodes) return { kind: 'cluster', nodes: hostPortsOf(nodes), commandTimeoutMs };
  const sentinels = config.get('REDIS_SENTINELS', { infer: true });
  if (sentinels) {
    const name = config.get('REDIS_SENTINEL_NAME', { infer: true });
    return { kind: 'sentinel', sentinels: hostPortsOf(sentinels), name, url, commandTimeoutMs };
  }
  return { kind: 'standalone', url, commandTimeoutMs };
}
