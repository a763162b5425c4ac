import Redis from 'ioredis';

/**
 * KEYS: the shard's due set (member: session id, score: when to fire), its versions hash.
 * ARGV: session id, version ('' for any), score ('' to remove).
 * Sets (or removes) the session's one entry, unless an entry armed for a newer version is there:
 * arms from two instances may arrive in either order, and the older must not win.
 */
const ARM = `
local held = redis.call('HGET', KEYS[2], ARGV[1])
if ARGV[2] ~= '' and held and tonumber(held) > tonumber(ARGV[2]) then return 0 end
if ARGV[3] == '' then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
else
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
  if ARGV[2] ~= '' then redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) end
end
return 1
`;

/**
 * KEYS: the shard's due set. ARGV: now, the most to take, the lease's end.
 * Takes the entries due by now and pushes each to the lease's end: the claimer fires them
 * (and replaces them), and if it dies the entries come back once the lease ends.
 */
const CLAIM = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, id in ipairs(due) do redis.call('ZADD', KEYS[1], ARGV[3], id) end
return due
`;

export interface DeadlineCommands {
  skArmDeadline(
    due: string,
    versions: string,
    sessionId: string,
    version: string,
    score: string,
  ): Promise<number>;
  skClaimDeadlines(due: string, now: number, limit: number, leaseUntil: number): Promise<string[]>;
}

/** Defines the scripts on the client (so on the pipelines made from it from now on). */
export function defineDeadlineCommands(redis: Redis): Redis & DeadlineCommands {
  if (!('skArmDeadline' in redis)) {
    redis.defineCommand('skArmDeadline', { numberOfKeys: 2, lua: ARM });
    redis.defineCommand('skClaimDeadlines', { numberOfKeys: 1, lua: CLAIM });
  }
  return redis as Redis & DeadlineCommands;
}
