import Redis from 'ioredis';

/** Reads Redis' own counters: commands executed, and what the service's keys take. */
export class RedisStats {
  readonly redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

  /** Calls per command since the server started (INFO commandstats). */
  async commandCalls(): Promise<Map<string, number>> {
    const info = await this.redis.info('commandstats');
    const calls = new Map<string, number>();
    for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(m[1], Number(m[2]));
    return calls;
  }

  static delta(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
    const d = new Map<string, number>();
    for (const [cmd, n] of after) {
      const diff = n - (before.get(cmd) ?? 0);
      if (diff > 0) d.set(cmd, diff);
    }
    return d;
  }

  /**
   * Top-level commands (what crosses the network: Lua scripts count once, not their inner
   * calls) that each client sent while `action` ran, by client name, from MONITOR.
   */
  async topLevelCommands(action: () => Promise<void>): Promise<Map<string, number>> {
    const names = new Map<string, string>();
    for (const line of ((await this.redis.client('LIST')) as string).split('\n')) {
      const addr = /addr=(\S+)/.exec(line)?.[1];
      const name = /name=(\S*)/.exec(line)?.[1];
      if (addr) names.set(addr, readable(name));
    }
    const monitor = await this.redis.monitor();
    const counts = new Map<string, number>();
    monitor.on('monitor', (_time: string, args: string[], source: string, database: string) => {
      if (source === 'lua' || database === 'lua') return;
      const who = `${names.get(source) ?? source} ${args[0].toLowerCase()}`;
      counts.set(who, (counts.get(who) ?? 0) + 1);
    });
    await action();
    await new Promise((r) => setTimeout(r, 200));
    monitor.disconnect();
    return counts;
  }

  async memoryPerKey(pattern: string, sample = 200): Promise<number> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      keys.push(...found);
      cursor = next;
    } while (cursor !== '0' && keys.length < sample);
    if (keys.length === 0) return 0;
    const sizes = await Promise.all(
      keys.slice(0, sample).map((k) => this.redis.memory('USAGE', k)),
    );
    return sizes.reduce<number>((s, x) => s + Number(x ?? 0), 0) / Math.min(sample, keys.length);
  }

  close(): void {
    this.redis.disconnect();
  }
}

/**
 * A client's name as a reader wants it: BullMQ names its blocking connections
 * `<prefix>:<base64 of the queue>`; the service names its own (`synckairos:…`).
 */
function readable(name: string | undefined): string {
  if (!name) return 'unnamed';
  const bullmq = /^\{[^}]*\}:([A-Za-z0-9+/]+=*)$/.exec(name);
  return bullmq ? `${Buffer.from(bullmq[1], 'base64').toString()} worker (blocking)` : name;
}
