/**
 * Live servers under fuzzing, one child process per transformer: random
 * HTTP requests on every route (spec, library, the polling endpoints of
 * engine.io and SockJS), and random WebSocket / polling sessions with
 * malformed frames and resets at every step of the handshake. Meanwhile a
 * healthy client of each server does round trips; the process must stay
 * alive and keep serving it.
 */
import fc from 'fast-check';
import { startChild, type ChildServer } from '../helpers/child-server';
import { fuzzParameters, fuzzTimeout } from './settings';
import { exchange, httpRequest, Prober } from './wire';
import { liveIds, request } from './requests';
import { play, scenario } from './scenarios';

const HTTP = { quick: 20, long: 500 };
const SESSIONS = { quick: 25, long: 500 };
jest.setTimeout(fuzzTimeout());

/** Each transformer with a parser, so frames reach every decoder on a live path. */
const SERVERS: Array<[string, string]> = [
  ['websockets', 'json'],
  ['engine.io', 'msgpack'],
  ['sockjs', 'json'],
  ['faye', 'binary'],
];

const children = new Map<string, ChildServer>();

beforeAll(async () => {
  // In parallel: starting a child is most of this file's time on a busy machine.
  await Promise.all(
    SERVERS.map(async ([transformer, parser]) => children.set(transformer, await startChild({ transformer, parser, refuse: true }))),
  );
}, 120_000);
afterAll(async () => {
  await Promise.all([...children.values()].map((child) => child.stop()));
});

describe.each(SERVERS)('a %s server (%s parser)', (transformer, parser) => {
  let child: ChildServer;
  let prober: Prober;

  beforeAll(async () => {
    child = children.get(transformer)!;
    prober = await Prober.start(child, transformer, parser);
  });
  afterAll(() => prober?.halt());

  it('survives random HTTP requests on every route', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 6 }), async (requests) => {
        const ids = await liveIds(child, transformer);
        await Promise.all(
          requests.map((r) => {
            const target = r.path.replace('{sid}', ids.sid).replace('{session}', ids.session);
            const payload = r.binary === null ? Buffer.from(r.body) : Buffer.from(r.binary);
            return exchange(child.port, httpRequest(r.method, target, r.headers, payload), r.ending);
          }),
        );
        expect(child.death).toBe('alive');
      }),
      // No shrinking: once the process died every input fails, so the first failing input is the one to see.
      { ...fuzzParameters(HTTP.quick, HTTP.long), endOnFailure: true },
    );
  });

  it('survives random sessions: malformed frames, resets at every handshake step', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(scenario(transformer), { minLength: 1, maxLength: 4 }), async (sessions) => {
        await Promise.all(sessions.map((s) => play(child.port, transformer, s)));
        expect(child.death).toBe('alive');
      }),
      { ...fuzzParameters(SESSIONS.quick, SESSIONS.long), endOnFailure: true },
    );
  });

  it('kept serving the healthy client all along', async () => {
    expect(await prober.stop()).toBeGreaterThan(0);
    expect(child.death).toBe('alive');
  });

  it('logged every failure as an AllsparkError with a code, and no exception', () => {
    const suspect = child.logs.filter((entry) => entry.level === 'error' && (entry.code === undefined || /Exception|TypeError|ReferenceError|RangeError/.test(entry.message)));
    expect(suspect.slice(0, 5)).toEqual([]);
  });
});
