import { createServer, type Server } from 'node:http';
import { Primus, type Spark } from '../index';
import { once, delay } from './helpers/net';

/** Sparks built the way Primus code builds them: `new primus.Spark(…)` and `new Primus.Spark(primus, …)`. */
describe('facade: sparks built with Primus’s constructor', () => {
  let http: Server;
  let primus: InstanceType<typeof Primus>;
  beforeEach(() => {
    http = createServer();
    primus = new Primus(http, { pingInterval: false });
  });
  afterEach(async () => {
    await new Promise<void>((r) => primus.destroy({ close: false }, () => r()));
  });

  test('new primus.Spark(headers, address, query, id) gives an open, writable spark of that server', async () => {
    const spark = new primus.Spark({ host: 'example' } as never, { remoteAddress: '10.0.0.1', remotePort: 4000 } as never, 'a=1&b=2' as never, 'given-id' as never);
    expect(spark).toBeInstanceOf(primus.Spark);
    expect(spark.id).toBe('given-id');
    expect(spark.readyState).toBe(Primus.Spark.OPEN);
    expect(spark.headers).toEqual({ host: 'example' });
    expect({ ...spark.query }).toEqual({ a: '1', b: '2' });
    expect(spark.primus).toBe(primus);
    const connected = await once<Spark>(primus, 'connection');
    expect(connected).toBe(spark);
    expect(primus.spark('given-id')).toBe(spark);
    const frames: unknown[] = [];
    spark.on('outgoing::data', (frame: unknown) => frames.push(frame));
    expect(spark.write({ a: 1 })).toBe(true);
    expect(frames).toEqual(['{"a":1}']);
  });

  test('every argument may be left out; Primus.Spark(primus, …) builds a spark of primus', () => {
    const bare = new primus.Spark();
    expect(typeof bare.id).toBe('string');
    expect(bare.headers).toEqual({});
    const built = new (Primus.Spark as unknown as new (p: unknown, ...rest: unknown[]) => Spark)(primus, {}, {}, {}, 'x1');
    expect(built.id).toBe('x1');
    expect(built).toBeInstanceOf(primus.Spark);
    expect(built.primus).toBe(primus);
  });

  test('frames handed to Primus transport events have U+2028/U+2029 escaped', () => {
    const spark = new primus.Spark();
    const frames: unknown[] = [];
    spark.on('outgoing::data', (frame: unknown) => frames.push(frame));
    spark.write(['\u2028\u2029']);
    expect(frames).toEqual(['["\\u2028\\u2029"]']);
    expect(JSON.parse(frames[0] as string)).toEqual(['\u2028\u2029']);
  });

  test('incoming::data is received; a pong emits incoming::pong and heartbeat', () => {
    const spark = new primus.Spark();
    const seen: unknown[] = [];
    spark.on('incoming::pong', (time: unknown) => seen.push(['pong', time]));
    spark.on('heartbeat', () => seen.push('heartbeat'));
    spark.emit('incoming::data', JSON.stringify('primus::pong::42'));
    expect(seen).toEqual([['pong', 42], 'heartbeat']);
  });

  test('assigning readyState emits readyStateChange only on a change', () => {
    const spark = new primus.Spark();
    let changes = 0;
    spark.on('readyStateChange', () => changes++);
    spark.readyState = Primus.Spark.OPEN;
    expect(changes).toBe(0);
    spark.readyState = Primus.Spark.CLOSED;
    expect(changes).toBe(1);
    expect(spark.readyState).toBe(Primus.Spark.CLOSED);
  });

  test('end() emits readyStateChange once, outgoing::end, and disconnection', async () => {
    const spark = new primus.Spark();
    const events: string[] = [];
    spark.on('readyStateChange', () => events.push('readyStateChange'));
    spark.on('outgoing::end', () => events.push('outgoing::end'));
    primus.on('disconnection', () => events.push('disconnection'));
    spark.end();
    expect(events).toEqual(['readyStateChange', 'outgoing::end', 'disconnection']);
  });

  test('the heartbeat pings through spark.heartbeat(), which a spark may replace', async () => {
    const beating = new Primus(createServer(), { pingInterval: 10 });
    try {
      const plain = new beating.Spark();
      const replaced = new beating.Spark();
      let calls = 0;
      replaced.heartbeat = () => void calls++;
      const [time] = await Promise.all([once<number>(plain, 'outgoing::ping'), delay(30)]);
      expect(typeof time).toBe('number');
      expect(calls).toBeGreaterThan(0);
    } finally {
      await new Promise<void>((r) => beating.destroy({ close: false }, () => r()));
    }
  });

  test('Primus.Spark.prototype.initialise runs for every server; a server’s own list stays its own', async () => {
    const shared = Primus.Spark.prototype as unknown as { initialise: unknown; __initialise: unknown[] };
    const before = shared.__initialise.length;
    const calls: string[] = [];
    shared.initialise = function (this: Spark) {
      calls.push(`shared ${this.id}`);
    };
    try {
      (primus.Spark.prototype as unknown as { initialise: unknown }).initialise = function (this: Spark) {
        calls.push(`own ${this.id}`);
      };
      expect(shared.__initialise.length).toBe(before + 1);
      new primus.Spark({}, {}, {}, 's1');
      await once(primus, 'connection');
      expect(calls).toEqual(['shared s1', 'own s1']);
    } finally {
      shared.__initialise.length = before;
    }
  });
});
