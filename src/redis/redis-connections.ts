import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import Redis, { Cluster, ClusterOptions, RedisOptions } from 'ioredis';
import { Counter, Gauge } from 'prom-client';
import { METRICS } from '../metrics/metric-names';
import { REDIS_TOPOLOGY, RedisTopology } from './redis-topology';

/** How long boot waits for a first connection before going on without one (not ready). */
const BOOT_WAIT_MS = 5000;

/**
 * What a connection is for:
 * - `request`: the request path; commands fail at once while Redis is away (no offline queue,
 *   no retries, a command timeout), so a request answers 503 instead of hanging;
 * - `worker`: off the request path (queues, pollers); waits through outages (BullMQ requires
 *   `maxRetriesPerRequest: null`);
 * - `pubsub`: the Socket.IO adapter's clients; waits through outages too.
 */
export type ConnectionProfile = 'request' | 'worker' | 'pubsub';

export interface OpenOptions {
  /** Request path only: the replies of one tick share a write. */
  autoPipelining?: boolean;
  /**
   * Scripts whose number of keys is their first argument: on a cluster, auto-pipelining would
   * route them by that number instead of their first key (ioredis), so they are sent alone.
   */
  variadicKeyScripts?: readonly string[];
  /** Pub/sub only: SSUBSCRIBE on a cluster needs one subscriber per master. */
  shardedSubscribers?: boolean;
}

/**
 * A client of either shape. A Cluster is used through the same commands API as a standalone
 * client; the few places that must tell them apart ask `isCluster`.
 */
export type RedisConnection = Redis;

export function isCluster(client: Redis | Cluster): boolean {
  return (client as Cluster).isCluster === true;
}

/** The Cluster behind a connection, or null on a standalone Redis. */
export function clusterOf(client: Redis | Cluster): Cluster | null {
  return isCluster(client) ? (client as unknown as Cluster) : null;
}

/**
 * Every Redis connection this process opens, built from config here and nowhere else: named
 * `synckairos:<name>` (CLIENT LIST), counted by name in a gauge, errors counted by name, and
 * closed on shutdown (those still open). BullMQ's blocking connections are duplicates it makes
 * of the `queue` connection, and closes itself.
 */
@Injectable()
export class RedisConnections implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private readonly open_ = new Map<Redis, string>();

  constructor(
    @Inject(REDIS_TOPOLOGY) private readonly topology: RedisTopology,
    @InjectMetric(METRICS.redisConnections) private readonly gauge: Gauge<'name'>,
    @InjectMetric(METRICS.redisErrors) private readonly errors: Counter<'client'>,
  ) {}

  get isCluster(): boolean {
    return this.topology.kind === 'cluster';
  }

  /** A new connection, ready (or, after BOOT_WAIT_MS without Redis, reconnecting). */
  async open(
    name: string,
    profile: ConnectionProfile,
    options: OpenOptions = {},
  ): Promise<RedisConnection> {
    const client = this.create(name, profile, options);
    client.on('error', (err: Error) => {
      this.logger.warn(`${name}: ${err.message}`);
      this.errors.inc({ client: name });
    });
    client.once('end', () => this.forget(client));
    this.open_.set(client, name);
    this.gauge.inc({ name });
    await waitForReady(client, BOOT_WAIT_MS).catch(() =>
      this.logger.error(
        `${name}: Redis is not answering at boot; starting unready and reconnecting`,
      ),
    );
    return client;
  }

  /** Closes one connection (quit, else disconnect); the rest close on shutdown. */
  async close(client: Redis): Promise<void> {
    this.forget(client);
    if (client.status === 'end') return;
    await client.quit().catch(() => client.disconnect());
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.open_.keys()].map((client) => this.close(client)));
  }

  private forget(client: Redis): void {
    const name = this.open_.get(client);
    if (name === undefined) return;
    this.open_.delete(client);
    this.gauge.dec({ name });
  }

  private create(name: string, profile: ConnectionProfile, options: OpenOptions): Redis {
    const redisOptions: RedisOptions = {
      ...optionsOf(profile, this.topology.commandTimeoutMs),
      connectionName: `synckairos:${name}`,
    };
    const autoPipelining = profile === 'request' && (options.autoPipelining ?? false);
    if (this.topology.kind === 'standalone')
      return new Redis(this.topology.url, {
        ...redisOptions,
        enableAutoPipelining: autoPipelining,
      });
    if (this.topology.kind === 'sentinel')
      // Asks the Sentinels for the primary on every (re)connection.
      return new Redis(this.topology.url, {
        ...redisOptions,
        enableAutoPipelining: autoPipelining,
        sentinels: this.topology.sentinels,
        name: this.topology.name,
        role: 'master',
        // No failoverDetector: its Sentinel subscriptions outlive quit() (the process never
        // exits); a failover is followed when Sentinel drops the old primary's clients.
      });
    const clusterOptions: ClusterOptions = {
      redisOptions,
      enableAutoPipelining: autoPipelining,
      autoPipeliningIgnoredCommands: [...(options.variadicKeyScripts ?? [])],
      // The request path's fail-fast shape: no cluster-level queue while it is not ready.
      enableOfflineQueue: profile !== 'request',
      // Masters only: a replica may lag behind a compare-and-set it has not seen yet.
      scaleReads: 'master',
      clusterRetryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2000),
      shardedSubscribers: options.shardedSubscribers ?? false,
    };
    // The Cluster is used through the standalone client's API (see RedisConnection).
    return new Cluster(this.topology.nodes, clusterOptions) as unknown as Redis;
  }
}

function optionsOf(profile: ConnectionProfile, commandTimeoutMs: number): RedisOptions {
  switch (profile) {
    case 'request':
      return {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: commandTimeoutMs,
        connectTimeout: 2000,
        retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2000),
      };
    case 'worker':
      return {
        maxRetriesPerRequest: null,
        enableReadyCheck: true,
        // Short waits between attempts: workers resume soon after Redis returns, and the
        // windows in which a worker cannot be closed cleanly (see stopConsumer) stay short.
        retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 500),
      };
    case 'pubsub':
      return {
        maxRetriesPerRequest: null,
        retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2000),
      };
  }
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
