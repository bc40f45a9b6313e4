/**
 * Redis keys and Lua scripts of the Redis Streams continuity store.
 *
 * Per session, two keys under the session's own hash tag (Redis Cluster
 * keeps them in one slot):
 *   `{<prefix>:cs:<id>}:h`  hash   i identity ('-' none, '=<id>' otherwise), t token,
 *                                  p previous token ('' none), e epoch, o top offset,
 *                                  a last client sequence number processed, n owner lease,
 *                                  r run id of the Redis that took the last write (as the writer knew it)
 *   `{<prefix>:cs:<id>}:x`  stream entries with id `<offset>-0`, fields `s` (text frame)
 *                                  or `b` (binary frame) or `h` (only the frame's hash: see
 *                                  the store's claim), then `t` (ms when appended)
 * Store-wide: `<prefix>:continuity:epoch`, created by the first node and
 * gone with Redis's data, so a Redis that lost everything has a new epoch.
 */

/** Key names of one store. */
export interface ContinuityKeys {
  epoch: string;
  hash(session: string): string;
  stream(session: string): string;
}

export function continuityKeys(prefix: string): ContinuityKeys {
  return {
    epoch: `${prefix}:continuity:epoch`,
    hash: (id) => `{${prefix}:cs:${id}}:h`,
    stream: (id) => `{${prefix}:cs:${id}}:x`,
  };
}

/** The store's epoch: the one kept, or ARGV[1] when none is (first node, or Redis lost its data). */
export const EPOCH = `
local e = redis.call('GET', KEYS[1])
if e then return e end
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]
`;

/**
 * Create a session unless its id is taken: ARGV identity, token, previous,
 * epoch, lease, ttl, run id. Returns 1 when created.
 */
export const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[1], 'i', ARGV[1], 't', ARGV[2], 'p', ARGV[3], 'e', ARGV[4], 'o', 0, 'a', 0, 'n', ARGV[5], 'r', ARGV[7])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return 1
`;

/**
 * Resume: ARGV identity, token, new token, client offset, new lease, ttl,
 * max entries. Checks identity and token (the previous token is accepted
 * until the client confirms the newest, as in the memory store), rotates
 * the token, takes ownership (lease), and returns
 * `{'ok', epoch, processed, top, entries from the client's offset on, run id of the last write, previous lease}`,
 * or `{'missing'}`, `{'identity'}`, `{'token'}` without touching anything.
 */
export const CLAIM = `
local h = redis.call('HGETALL', KEYS[1])
if #h == 0 then return {'missing'} end
local f = {}
for i = 1, #h, 2 do f[h[i]] = h[i + 1] end
if f.i ~= ARGV[1] then return {'identity'} end
if ARGV[2] ~= f.t and ARGV[2] ~= f.p then return {'token'} end
redis.call('HSET', KEYS[1], 'p', ARGV[2], 't', ARGV[3], 'n', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
local from = tonumber(ARGV[4])
local start = '-'
if from > 0 then start = from .. '-0' end
local entries = redis.call('XRANGE', KEYS[2], start, '+', 'COUNT', tonumber(ARGV[7]))
return {'ok', f.e, f.a or '0', f.o or '0', entries, f.r or '', f.n or ''}
`;

/**
 * The write-behind of many sessions in one call. KEYS: hash and stream of
 * each session. ARGV[1]: the run id of the Redis written to, as the node
 * knows it (or ''); ARGV[2]: the number F of distinct frames, then the F
 * frames (a broadcast's frame travels once for all its sessions); then one
 * JSON array with, per session, `lease, processed (-1: unchanged), minid
 * (-1: none), clearPrevious (0/1), ttl, drop (0/1: delete the session), top,
 * count` and `count` entries of `offset, field, frame index (1..F), time`
 * (one argument, not thousands: the client's cost is per argument). `top`
 * is the node's newest offset: stored even when entries before it never
 * arrived (dropped while Redis was down), so a resume sees the hole. A
 * session whose lease is not the hash's (another node took it over, or
 * Redis lost it) is left alone. Entries at or below the stored top are
 * skipped, so a batch sent again after a failure does no harm. Returns one
 * status per session: 1 written, 0 not the owner (or gone).
 */
export const FLUSH = `
local out = {}
local frames = tonumber(ARGV[2])
local m = cjson.decode(ARGV[3 + frames])
local a = 1
for s = 1, #KEYS, 2 do
  local h, x = KEYS[s], KEYS[s + 1]
  local lease, processed, minid, clear, ttl, drop, last, count = m[a], m[a + 1], m[a + 2], m[a + 3], m[a + 4], m[a + 5], m[a + 6], m[a + 7]
  a = a + 8
  if redis.call('HGET', h, 'n') ~= lease then
    out[#out + 1] = 0
  elseif drop == 1 then
    redis.call('DEL', h, x)
    out[#out + 1] = 1
  else
    local top = tonumber(redis.call('HGET', h, 'o'))
    for e = 0, count - 1 do
      local at = a + e * 4
      local offset = m[at]
      if offset > top then
        redis.call('XADD', x, string.format('%d-0', offset), m[at + 1], ARGV[2 + m[at + 2]], 't', string.format('%d', m[at + 3]))
        top = offset
      end
    end
    if last > top then top = last end
    redis.call('HSET', h, 'o', string.format('%d', top), 'r', ARGV[1])
    if processed >= 0 and processed > tonumber(redis.call('HGET', h, 'a')) then redis.call('HSET', h, 'a', string.format('%d', processed)) end
    if minid >= 0 then redis.call('XTRIM', x, 'MINID', string.format('%d-0', minid)) end
    if clear == 1 then redis.call('HSET', h, 'p', '') end
    redis.call('PEXPIRE', h, ttl)
    if top > 0 then redis.call('PEXPIRE', x, ttl) end
    out[#out + 1] = 1
  end
  a = a + count * 4
end
return out
`;

/** Name the FLUSH script is registered under. */
export const FLUSH_SCRIPT = 'allsparkContinuityFlush';

/** Script name → [source, number of keys], registered with the cluster driver's `defineScripts` (FLUSH takes a variable number). */
export const CONTINUITY_SCRIPTS = {
  allsparkContinuityEpoch: [EPOCH, 1],
  allsparkContinuityCreate: [CREATE, 2],
  allsparkContinuityClaim: [CLAIM, 2],
  [FLUSH_SCRIPT]: [FLUSH, null],
} as const;
