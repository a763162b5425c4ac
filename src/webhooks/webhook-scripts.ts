/**
 * Lua scripts of the webhook mailboxes. A session with events to send has, in the queue's hash
 * tag (one Cluster slot, like the queue):
 * - `box`: a sorted set of its pending events (member `<version>:<type>`, score its order);
 * - `ev`: a hash of each pending event's JSON, and its instant under `@<member>`;
 * - `meta`: a hash of `done` (the order of the newest event settled), `owner` (the id of the
 *   deliver job that works on it; one at a time), `gen` (for the next owner's id), and the
 *   attempts of the event at the head (`a:<member>` count, `f:<member>` first attempt).
 * `backlog` (one for all) holds each session with pending events, scored by the instant of
 * its oldest one. Every key of a session expires after a quiet TTL.
 */
export const WEBHOOK_SCRIPTS = {
  /**
   * KEYS: box, ev, meta, backlog. ARGV: session id, ttlMs, owner id prefix, oldest instant,
   * then per event: member, seq, prev ('' none), marker ('1'/'0'), json, instant.
   * An event already settled (seq ≤ done) or already pending is skipped; a marker with nothing
   * before it pending is settled at once. → the owner id when events are pending, else false.
   */
  whIntake: {
    numberOfKeys: 4,
    lua: `
local done = tonumber(redis.call('HGET', KEYS[3], 'done') or '-1')
for i = 5, #ARGV, 6 do
  local member, seq, prev = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2]
  if seq > done and not redis.call('ZSCORE', KEYS[1], member) then
    local free = redis.call('ZCARD', KEYS[1]) == 0 and (prev == '' or tonumber(prev) <= done)
    if ARGV[i + 3] == '1' and free then
      done = seq
      redis.call('HSET', KEYS[3], 'done', ARGV[i + 1])
    else
      redis.call('ZADD', KEYS[1], seq, member)
      redis.call('HSET', KEYS[2], member, ARGV[i + 4], '@' .. member, ARGV[i + 5])
    end
  end
end
local owner = false
if redis.call('ZCARD', KEYS[1]) > 0 then
  owner = redis.call('HGET', KEYS[3], 'owner')
  if not owner then
    owner = ARGV[3] .. redis.call('HINCRBY', KEYS[3], 'gen', 1)
    redis.call('HSET', KEYS[3], 'owner', owner)
  end
  redis.call('ZADD', KEYS[4], 'LT', ARGV[4], ARGV[1])
end
for k = 1, 3 do redis.call('PEXPIRE', KEYS[k], ARGV[2]) end
return owner`,
  },
  /**
   * KEYS: box, ev, meta, backlog. ARGV: owner id, session id, ttlMs.
   * → {0} not the owner; {1} nothing pending: the owner let go; {2, member, seq, json, done,
   *   attempts, first attempt ('' none)} the head.
   */
  whHead: {
    numberOfKeys: 4,
    lua: `
if redis.call('HGET', KEYS[3], 'owner') ~= ARGV[1] then return {0} end
for _ = 1, 100 do
  local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if #head == 0 then
    redis.call('HDEL', KEYS[3], 'owner')
    redis.call('ZREM', KEYS[4], ARGV[2])
    return {1}
  end
  local ev = redis.call('HMGET', KEYS[2], head[1], '@' .. head[1])
  if ev[1] then
    redis.call('ZADD', KEYS[4], ev[2], ARGV[2])
    for k = 1, 3 do redis.call('PEXPIRE', KEYS[k], ARGV[3]) end
    local m = redis.call('HMGET', KEYS[3], 'done', 'a:' .. head[1], 'f:' .. head[1])
    return {2, head[1], head[2], ev[1], m[1] or '-1', m[2] or '0', m[3] or ''}
  end
  redis.call('ZREM', KEYS[1], head[1])
end
return {0}`,
  },
  /**
   * KEYS: meta. ARGV: owner id, member, now. Counts an attempt at the head.
   * → {attempt, first attempt} or {0} when not the owner.
   */
  whAttempt: {
    numberOfKeys: 1,
    lua: `
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return {0} end
redis.call('HSETNX', KEYS[1], 'f:' .. ARGV[2], ARGV[3])
return {redis.call('HINCRBY', KEYS[1], 'a:' .. ARGV[2], 1), redis.call('HGET', KEYS[1], 'f:' .. ARGV[2])}`,
  },
  /**
   * KEYS: box, ev, meta. ARGV: owner id, member, seq. The head was delivered or given up.
   * → 1, or 0 when not the owner.
   */
  whSettle: {
    numberOfKeys: 3,
    lua: `
if redis.call('HGET', KEYS[3], 'owner') ~= ARGV[1] then return 0 end
redis.call('ZREM', KEYS[1], ARGV[2])
redis.call('HDEL', KEYS[2], ARGV[2], '@' .. ARGV[2])
redis.call('HDEL', KEYS[3], 'a:' .. ARGV[2], 'f:' .. ARGV[2])
if tonumber(ARGV[3]) > tonumber(redis.call('HGET', KEYS[3], 'done') or '-1') then
  redis.call('HSET', KEYS[3], 'done', ARGV[3])
end
return 1`,
  },
} as const;

export type WebhookScriptName = keyof typeof WEBHOOK_SCRIPTS;
