/**
 * Lua scripts for everything that must be atomic: a node's liveness, the
 * routing table (spark id → node), presence (sparks and users), and the
 * reaping of dead nodes. Each script publishes the presence changes it
 * made on the presence channel in the same step, so the events and the
 * tables cannot disagree.
 *
 * Keys (all under one hash tag, `{prefix}`, so Redis Cluster keeps them in one slot):
 *   KEYS[1] nodes        zset  node id → expiry (ms, Redis clock)
 *   KEYS[2] sparks       hash  spark id → node id
 *   KEYS[3] spark-users  hash  spark id → user id (sparks with a user only)
 *   KEYS[4] users        hash  user id → number of connected sparks
 *   <nodeKeyPrefix><node> set  spark ids of one node
 * ARGV[1] node key prefix, ARGV[2] presence channel, then per script.
 */

const COMMON = `
local function now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local events = {}
local function join(node, id, user)
  if redis.call('HGET', KEYS[2], id) == node then return end
  redis.call('HSET', KEYS[2], id, node)
  redis.call('SADD', ARGV[1] .. node, id)
  local e = { t = 'join', spark = id, node = node }
  if user ~= '' then
    redis.call('HSET', KEYS[3], id, user)
    e.user = user
    e.first = redis.call('HINCRBY', KEYS[4], user, 1) == 1
  end
  events[#events + 1] = e
end
local function leave(node, id)
  redis.call('SREM', ARGV[1] .. node, id)
  if redis.call('HGET', KEYS[2], id) ~= node then return end
  redis.call('HDEL', KEYS[2], id)
  local e = { t = 'leave', spark = id, node = node }
  local user = redis.call('HGET', KEYS[3], id)
  if user then
    redis.call('HDEL', KEYS[3], id)
    e.user = user
    local left = redis.call('HINCRBY', KEYS[4], user, -1)
    e.last = left <= 0
    if left <= 0 then redis.call('HDEL', KEYS[4], user) end
  end
  events[#events + 1] = e
end
local function flush()
  if #events > 0 then redis.call('PUBLISH', ARGV[2], cjson.encode(events)) end
end
`;

/** Keep a node alive for ARGV[4] ms; returns 1 when the node was not listed (new, reaped, or Redis restarted). */
export const HEARTBEAT = `${COMMON}
local added = redis.call('ZADD', KEYS[1], now() + tonumber(ARGV[4]), ARGV[3])
if added == 1 then events[1] = { t = 'nodeUp', node = ARGV[3] } end
flush()
return added
`;

/** Joins and leaves of node ARGV[3], in order: ARGV[4..] = op ('j' | 'l'), spark id, user id ('' for none). */
export const UPDATE = `${COMMON}
local node = ARGV[3]
for i = 4, #ARGV, 3 do
  if ARGV[i] == 'j' then join(node, ARGV[i + 1], ARGV[i + 2]) else leave(node, ARGV[i + 1]) end
end
flush()
return #events
`;

/**
 * Make node ARGV[3]'s sparks exactly those in the hash KEYS[5] (spark id → user id or ''),
 * filled beforehand in chunks; emits joins and leaves for the difference. Used after Redis
 * lost state (restart, failover) or the node missed updates while Redis was down.
 */
export const RESYNC = `${COMMON}
local node = ARGV[3]
local members = redis.call('SMEMBERS', ARGV[1] .. node)
for _, id in ipairs(members) do
  if redis.call('HEXISTS', KEYS[5], id) == 0 then leave(node, id) end
end
local wanted = redis.call('HGETALL', KEYS[5])
for i = 1, #wanted, 2 do
  if redis.call('HGET', KEYS[2], wanted[i]) ~= node then join(node, wanted[i], wanted[i + 1]) end
end
redis.call('DEL', KEYS[5])
flush()
return #events
`;

/** Remove up to ARGV[3] nodes whose time ran out (or node ARGV[4] itself when it shuts down), with their sparks. */
export const REAP = `${COMMON}
local dead
if ARGV[4] ~= '' then dead = { ARGV[4] } else
  dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now(), 'LIMIT', 0, tonumber(ARGV[3]))
end
for _, node in ipairs(dead) do
  for _, id in ipairs(redis.call('SMEMBERS', ARGV[1] .. node)) do leave(node, id) end
  redis.call('DEL', ARGV[1] .. node)
  if redis.call('ZREM', KEYS[1], node) == 1 then events[#events + 1] = { t = 'nodeDown', node = node } end
end
flush()
return dead
`;

/** Live nodes and their connection counts: { node, count, node, count, … }. */
export const VIEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')) do
  out[#out + 1] = node
  out[#out + 1] = redis.call('SCARD', ARGV[1] .. node)
end
return out
`;

/** Script name → [source, number of keys], registered with `defineScripts` (driver.ts). */
export const SCRIPTS = {
  allsparkHeartbeat: [HEARTBEAT, 4],
  allsparkUpdate: [UPDATE, 4],
  allsparkResync: [RESYNC, 5],
  allsparkReap: [REAP, 4],
  allsparkView: [VIEW, 1],
} as const;
