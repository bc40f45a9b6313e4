/**
 * The in-memory store and its streams on their own: every bound, every
 * gap reason, all-or-nothing replay, token rotation and eviction.
 */
import { MemoryStore, MemoryStream, type Session } from '../../plugins/continuity';
import { frameHash, type ResumeRequest } from '../../plugins/continuity/protocol';
import type { Claim } from '../../plugins/continuity/store';

const LIMITS = { maxMessages: 1000, maxBytes: 1 << 20, maxAge: 60_000 };

describe('MemoryStream', () => {
  test('offsets from 1; since() returns everything after a position, or nothing', () => {
    const s = new MemoryStream('k', 'E', LIMITS);
    for (const f of ['a', 'b', 'c']) s.append(f, 0);
    expect([s.first, s.top, s.length, s.bytes]).toEqual([1, 3, 3, 3]);
    expect(s.since({ epoch: 'E', offset: 0, hash: '' }, 0)).toEqual(['a', 'b', 'c']);
    expect(s.since({ epoch: 'E', offset: 1, hash: frameHash('a') }, 0)).toEqual(['b', 'c']);
    expect(s.since({ epoch: 'E', offset: 3, hash: frameHash('c') }, 0)).toEqual([]);
    expect(s.since({ epoch: 'X', offset: 3, hash: frameHash('c') }, 0)).toBe('epoch');
    expect(s.since({ epoch: 'E', offset: 2, hash: frameHash('other') }, 0)).toBe('mismatch');
    expect(s.since({ epoch: 'E', offset: 4, hash: '' }, 0)).toBe('mismatch');
  });

  test('maxMessages, maxBytes and maxAge trim the oldest; a reader behind them gets trimmed', () => {
    const byCount = new MemoryStream('k', 'E', { ...LIMITS, maxMessages: 2 });
    for (const f of ['a', 'b', 'c']) byCount.append(f, 0);
    expect([byCount.first, byCount.length]).toEqual([2, 2]);
    expect(byCount.since({ epoch: 'E', offset: 0, hash: '' }, 0)).toBe('trimmed');
    // The reader exactly at the last trimmed entry is still checked and served.
    expect(byCount.since({ epoch: 'E', offset: 1, hash: frameHash('a') }, 0)).toEqual(['b', 'c']);
    expect(byCount.since({ epoch: 'E', offset: 1, hash: frameHash('x') }, 0)).toBe('mismatch');

    const byBytes = new MemoryStream('k', 'E', { ...LIMITS, maxBytes: 5 });
    for (const f of ['aaa', 'bbb']) byBytes.append(f, 0);
    expect([byBytes.first, byBytes.bytes]).toEqual([2, 3]);

    const byAge = new MemoryStream('k', 'E', { ...LIMITS, maxAge: 100 });
    byAge.append('old', 0);
    byAge.append('new', 50);
    expect(byAge.since({ epoch: 'E', offset: 0, hash: '' }, 150)).toBe('trimmed');
    byAge.append('newer', 200);
    expect([byAge.first, byAge.length]).toEqual([3, 1]);
  });

  test('trimBefore keeps the entry at the acknowledged offset; many appends stay bounded', () => {
    const s = new MemoryStream('k', 'E', { ...LIMITS, maxMessages: 100 });
    for (let i = 1; i <= 10_000; i++) s.append(String(i), 0);
    expect([s.first, s.top, s.length]).toEqual([9901, 10_000, 100]);
    expect(s.trimBefore(9990)).toBe(89 * 4);
    expect([s.first, s.length]).toEqual([9990, 11]);
    expect(s.since({ epoch: 'E', offset: 9999, hash: frameHash('9999') }, 0)).toEqual(['10000']);
  });
});

describe('MemoryStore', () => {
  const request = (r: Partial<ResumeRequest>): ResumeRequest => ({ session: 's1', token: 't0', epoch: '', offset: 0, hash: '', seq: 1, ...r });
  const sessionOf = (claim: Claim): Session => (claim as { session: Session }).session;

  test('first connect creates the session with the client id; the token rotates on every claim', () => {
    const store = new MemoryStore();
    const created = store.claim(request({}), 'alice', 0);
    expect(created.outcome).toBe('new');
    const session = sessionOf(created);
    expect([session.id, session.previous]).toEqual(['s1', 't0']);
    const t1 = session.token;
    // The hello with t1 was lost: t0 still works once more, before t1 is confirmed.
    expect(store.claim(request({}), 'alice', 0).outcome).toBe('resumed');
    const t2 = session.token;
    store.acknowledge(session, 0);
    expect(store.claim(request({ token: t1 }), 'alice', 0)).toMatchObject({ outcome: 'lost', reason: 'token' });
    expect(store.claim(request({ token: t2, epoch: store.epoch }), 'alice', 0).outcome).toBe('resumed');
    store.close();
  });

  test('window: a session away longer is forgotten (closed), then unknown', async () => {
    const store = new MemoryStore({ window: 30 });
    const session = sessionOf(store.claim(request({}), undefined, 0));
    store.detach(session, 0);
    await new Promise((r) => setTimeout(r, 80));
    expect([session.closed, store.size]).toEqual([true, 0]);
    const again = store.claim(request({ token: session.token, epoch: store.epoch }), undefined, 0);
    expect(again).toMatchObject({ outcome: 'lost', reason: 'expired' });
    store.close();
  });

  test('maxSessions: the longest-away session is evicted; with none away, new sessions are refused', () => {
    const evicted: string[] = [];
    const store = new MemoryStore({ maxSessions: 2 }, (s, why) => evicted.push(`${s.id}:${why}`));
    const a = sessionOf(store.claim(request({ session: 'a' }), undefined, 0));
    sessionOf(store.claim(request({ session: 'b' }), undefined, 0));
    expect(store.claim(request({ session: 'c' }), undefined, 0)).toEqual({ outcome: 'refused', reason: 'capacity' });
    store.detach(a, 0);
    expect(store.claim(request({ session: 'c' }), undefined, 0).outcome).toBe('new');
    expect(evicted).toEqual(['a:sessions']);
    expect(a.closed).toBe(true);
    store.close();
  });

  test('maxTotalBytes: sessions away go first, then the writer\'s own oldest messages', () => {
    const evicted: string[] = [];
    const store = new MemoryStore({ maxTotalBytes: 10 }, (s, why) => evicted.push(`${s.id}:${why}`));
    const away = sessionOf(store.claim(request({ session: 'away' }), undefined, 0));
    const writer = sessionOf(store.claim(request({ session: 'writer' }), undefined, 0));
    store.append(away, 'xxxxxx', 0);
    store.detach(away, 0);
    store.append(writer, 'yyyyyy', 0);
    expect(evicted).toEqual(['away:bytes']);
    expect(store.bytes).toBe(6);
    store.append(writer, 'zzzzzz', 0);
    expect([writer.stream.length, store.bytes]).toEqual([1, 6]);
    store.close();
  });
});
