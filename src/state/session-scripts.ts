/**
 * Lua scripts of the session store, run atomically inside Redis. A live session is a hash
 * { v: version, s: state JSON }; a deleted one leaves a tombstone { v, d: 1 } for the
 * retention period, so that a late read cannot bring it back from the audit trail.
 * A TTL of 0 means "no expiry".
 */
/** Appends n outbox entries from ARGV[from] (see outbox-entry.ts for their form). */
const OUTBOX_PUSH = `
local function outbox_push(key, from, n)
  for i = from, from + n - 1 do redis.call('RPUSH', key, ARGV[i]) end
end`;

/**
 * The writer's instant (ARGV[at]) against Redis' TIME: at most ARGV[at+1] ms ahead of it, at
 * most ARGV[at+2] behind (its skew plus the time the write waited to be run).
 */
const PLAUSIBLE = `
local function redis_now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function plausible(at)
  local d = tonumber(ARGV[at]) - redis_now()
  return d <= tonumber(ARGV[at + 1]) and -d <= tonumber(ARGV[at + 2])
end`;

export const SESSION_SCRIPTS = {
  /**
   * KEYS: session, its outbox, then the idempotency records to write with it. ARGV: version,
   * state, ttlMs, the records' ttlMs, the writer's now, how far ahead and behind Redis' own
   * time it may be, the number of outbox entries n, n entries, one record per record key.
   * → 1 created, 0 the id is taken, {-4, Redis time} the writer's clock is implausible.
   */
  skCreate: {
    lua: `${OUTBOX_PUSH}${PLAUSIBLE}
if not plausible(5) then return {-4, redis_now()} end
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 's', ARGV[2])
if tonumber(ARGV[3]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
local n = tonumber(ARGV[8])
outbox_push(KEYS[2], 9, n)
for i = 3, #KEYS do redis.call('SET', KEYS[i], ARGV[6 + n + i], 'PX', ARGV[4]) end
return 1`,
  },
  /**
   * KEYS: session, its watchers, its commit counter, its outbox, then the idempotency records
   * to write with it. ARGV: expected version, new version, new state, ttlMs, most commits per
   * second (0: no limit), the commits this write counts for, the records' ttlMs, the writer's
   * now and how far ahead and behind Redis' own time it may be, the number of outbox entries n,
   * n entries (one per version: its audit event), then one record per record key. The events and the outcomes are written with the state or not at all: every committed
   * version has its event, whoever committed it, and a retried command finds its first outcome
   * if, and only if, this write happened.
   * → {1, watched} written (watched: 1 when some instance has sockets in its room);
   *   {0} missing; {-1, state} the version moved on; {-2} deleted;
   *   {-3, ms, room} over the limit, which resets in ms; room: the commits still allowed.
   * The limit counts commits, in a fixed one-second window, in the same atomic step as the
   * write: it costs no round trip of its own, and a refused or lost attempt is not counted.
   */
  skCompareAndSet: {
    lua: `${OUTBOX_PUSH}${PLAUSIBLE}
if not plausible(8) then return {-4, redis_now()} end
local cur = redis.call('HMGET', KEYS[1], 'v', 's')
if not cur[1] then return {0} end
if not cur[2] then return {-2} end
if cur[1] ~= ARGV[1] then return {-1, cur[2]} end
local limit = tonumber(ARGV[5])
if limit > 0 then
  local commits = tonumber(ARGV[6] or '1')
  local count = tonumber(redis.call('GET', KEYS[3]) or '0')
  if count + commits > limit then
    local left = redis.call('PTTL', KEYS[3])
    if left < 0 then redis.call('PEXPIRE', KEYS[3], 1000) left = 1000 end
    return {-3, left, math.max(0, limit - count)}
  end
  if redis.call('INCRBY', KEYS[3], commits) == commits then redis.call('PEXPIRE', KEYS[3], 1000) end
end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 's', ARGV[3])
if tonumber(ARGV[4]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[4]) else redis.call('PERSIST', KEYS[1]) end
local n = tonumber(ARGV[11])
outbox_push(KEYS[4], 12, n)
for i = 5, #KEYS do redis.call('SET', KEYS[i], ARGV[7 + n + i], 'PX', ARGV[7]) end
return {1, redis.call('EXISTS', KEYS[2])}`,
  },
  /**
   * KEYS: session, its outbox. ARGV: tombstone ttlMs, the instant.
   * → the deleted state, or nil when there was none. Unwritten outbox entries keep the
   * deleted state as a base line: they are rebuilt from it (see outbox-entry.ts).
   */
  skDelete: {
    numberOfKeys: 2,
    lua: `
local cur = redis.call('HMGET', KEYS[1], 'v', 's')
if not cur[2] then return false end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'v', tonumber(cur[1]) + 1, 'd', '1')
redis.call('PEXPIRE', KEYS[1], ARGV[1])
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('RPUSH', KEYS[2], (tonumber(cur[1]) + 1) .. '|' .. ARGV[2] .. '|0|' .. cur[2])
end
return cur[2]`,
  },
  /**
   * KEYS: session. ARGV: the tombstone's version, the deleted state, ttlMs. Puts back a
   * session whose deletion could not be made durable, if its tombstone is still that one.
   * → 1 put back, 0 the key moved on.
   */
  skUndelete: {
    numberOfKeys: 1,
    lua: `
local cur = redis.call('HMGET', KEYS[1], 'v', 'd')
if cur[1] ~= ARGV[1] or not cur[2] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'v', tonumber(ARGV[1]) - 1, 's', ARGV[2])
if tonumber(ARGV[3]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return 1`,
  },
  /**
   * KEYS: an outbox, its written set, its hand-off mark. ARGV: versions written to
   * PostgreSQL. Marks them written, then drops head entries while they are written (and base
   * lines: what they rebuild is gone), at most 1000 a call: an entry never written (a phantom
   * commit ahead of written ones) stops the trim until a relay writes it.
   * → {entries left, the newest index instant among those dropped}.
   */
  skOutboxAck: {
    numberOfKeys: 3,
    lua: `
local written = {}
for i = 1, #ARGV do written[ARGV[i]] = true end
local newest = 0
local left = nil
for _ = 1, 1000 do
  local head = redis.call('LINDEX', KEYS[1], 0)
  if not head then left = 0 break end
  local v, t, len = string.match(head, '^(%d+)|(%d+)|(%d+)|')
  if len ~= '0' and not written[v] and not redis.call('ZSCORE', KEYS[2], v) then break end
  redis.call('LPOP', KEYS[1])
  written[v] = nil
  if tonumber(t) > newest then newest = tonumber(t) end
end
left = left or redis.call('LLEN', KEYS[1])
if left == 0 then
  redis.call('DEL', KEYS[2], KEYS[3])
  return {0, newest}
end
-- Versions written behind an unwritten one wait in the set; older members cannot be in the list.
for v in pairs(written) do redis.call('ZADD', KEYS[2], v, v) end
local v = string.match(redis.call('LINDEX', KEYS[1], 0), '^(%d+)|')
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. v)
redis.call('PEXPIRE', KEYS[2], 604800000)
return {left, newest}`,
  },
  /**
   * KEYS: an outbox, its hand-off mark. ARGV: a version. The versions up to it were handed to
   * the listeners, and their events stay in the outbox for the relay to write (PostgreSQL is
   * down): the relay then writes them without handing them on again. → 1.
   */
  skOutboxHandOff: {
    numberOfKeys: 2,
    lua: `
if redis.call('EXISTS', KEYS[1]) == 0 then return 1 end
local cur = tonumber(redis.call('GET', KEYS[2]) or '0')
if tonumber(ARGV[1]) > cur then redis.call('SET', KEYS[2], ARGV[1], 'PX', 604800000) end
return 1`,
  },
  /**
   * KEYS: session, its outbox, its hand-off mark. The outbox's lines with what rebuilds
   * them, read in one step: the stored state and the hand-off mark (the backlog cap bounds
   * the lines). → {lines, state or false, mark or false}.
   */
  skOutboxRead: {
    numberOfKeys: 3,
    lua: `
return {redis.call('LRANGE', KEYS[2], 0, -1), redis.call('HGET', KEYS[1], 's'),
  redis.call('GET', KEYS[3])}`,
  },
  /**
   * KEYS: an outbox index shard. ARGV: session id, an instant. Takes the session out of the
   * index unless a commit put it back after that instant.
   */
  skOutboxUnindex: {
    numberOfKeys: 1,
    lua: `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) <= tonumber(ARGV[2]) then redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0`,
  },
  /**
   * KEYS: an outbox index shard. ARGV: stale before (instant), lease until, most ids. Claims
   * the sessions whose newest commit is older than the bound: their entries were not written
   * on the normal path (a crash, a stall). The lease keeps other relays off them meanwhile.
   */
  skOutboxClaim: {
    numberOfKeys: 1,
    lua: `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do redis.call('ZADD', KEYS[1], 'XX', ARGV[2], id) end
return ids`,
  },
  /**
   * KEYS: an idempotency record. ARGV: the pending marker, its ttlMs. Claims the key for a
   * command about to run. → nil claimed, or what the key holds (a marker or an outcome).
   */
  skIdemClaim: {
    numberOfKeys: 1,
    lua: `
local cur = redis.call('GET', KEYS[1])
if cur then return cur end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false`,
  },
  /** KEYS: an idempotency record. ARGV: our pending marker. Lets go of a claim left undecided. */
  skIdemRelease: {
    numberOfKeys: 1,
    lua: `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end
return 0`,
  },
} as const;

export type SessionScriptName = keyof typeof SESSION_SCRIPTS;

/** The scripts above called with their number of keys first (see RedisConnections). */
export const VARIADIC_KEY_SCRIPTS = ['skCreate', 'skCompareAndSet'] as const;
