import { ConfigService } from '@nestjs/config';
import { Env } from '../config/env.validation';

/** Injection token of the RedisTopology read from config. */
export const REDIS_TOPOLOGY = Symbol('REDIS_TOPOLOGY');

/**
 * Where Redis is: one server (REDIS_URL), a Redis Cluster found from its seed nodes, or the
 * primary that Sentinels name (REDIS_URL then gives only the password, user, db and TLS).
 */
export type RedisTopology = { commandTimeoutMs: number; wait: WaitPolicy } & (
  | { kind: 'standalone'; url: string }
  | { kind: 'cluster'; nodes: HostPort[] }
  | { kind: 'sentinel'; sentinels: HostPort[]; name: string; url: string }
);

/**
 * How many replicas must hold a write before it is acknowledged (Redis WAIT, 0: none), and how
 * long the write waits for them.
 */
export interface WaitPolicy {
  replicas: number;
  timeoutMs: number;
  /** REDIS_WAIT_REPLICAS=auto: `replicas` is 1 until the store has seen whether replicas exist. */
  auto: boolean;
}

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
  const sentinels = config.get('REDIS_SENTINELS', { infer: true });
  const wait = waitPolicyOf(config, nodes !== '' || sentinels !== '');
  if (nodes) return { kind: 'cluster', nodes: hostPortsOf(nodes), commandTimeoutMs, wait };
  if (sentinels) {
    const name = config.get('REDIS_SENTINEL_NAME', { infer: true });
    const found = hostPortsOf(sentinels);
    return { kind: 'sentinel', sentinels: found, name, url, commandTimeoutMs, wait };
  }
  return { kind: 'standalone', url, commandTimeoutMs, wait };
}

/** `auto`: a Cluster or Sentinel is run for its replicas, so a write waits for one. */
function waitPolicyOf(config: ConfigService<Env, true>, replicated: boolean): WaitPolicy {
  const asked = config.get('REDIS_WAIT_REPLICAS', { infer: true });
  const replicas = asked === 'auto' ? (replicated ? 1 : 0) : Number(asked);
  const timeoutMs = config.get('REDIS_WAIT_TIMEOUT_MS', { infer: true });
  return { replicas, timeoutMs, auto: asked === 'auto' && replicated };
}
