import { PrimusError, type Client, type Packet, type Spark } from '../../index';
import type { Primus } from '../../index';
import { collect, delay, once } from '../helpers/net';
import { startPrimus, stopPrimus } from './http';

type Next = (err?: unknown, keep?: boolean) => void;

/** The next `data` value (without the raw frame that comes with it). */
function nextData(emitter: { once(event: 'data', fn: (data: unknown) => void): unknown }): Promise<unknown> {
  return new Promise((resolve) => emitter.once('data', resolve));
}

describe('message transforms', () => {
  let primus: Primus;
  let url: string;
  const clients: Client[] = [];

  beforeEach(async () => {
    ({ primus, url } = await startPrimus());
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await stopPrimus(primus);
  });

  /** A connected client and its spark. */
  async function connect(): Promise<{ client: Client; spark: Spark }> {
    const client = new primus.Socket(url);
    clients.push(client);
    const [spark] = await Promise.all([once<Spark>(primus, 'connection'), once(client, 'open')]);
    return { client, spark };
  }

  /** Fail the test if anything escapes as an uncaught error while `fn` runs. */
  async function noEscapes(fn: () => Promise<void>): Promise<void> {
    const escaped: unknown[] = [];
    const record = (err: unknown) => escaped.push(err);
    process.on('uncaughtException', record);
    process.on('unhandledRejection', record);
    try {
      await fn();
      await delay(20);
    } finally {
      process.off('uncaughtException', record);
      process.off('unhandledRejection', record);
    }
    expect(escaped).toEqual([]);
  }

  describe('server side: primus.transform()', () => {
    it('changes incoming data with a sync transform called with this = spark and packet.raw', async () => {
      const calls: Array<[unknown, unknown]> = [];
      primus.transform('incoming', function (this: Spark, packet: Packet) {
        calls.push([this, packet.raw]);
        packet.data = { wrapped: packet.data };
      });
      const { client, spark } = await connect();
      client.write('hi');
      expect(await nextData(spark)).toEqual({ wrapped: 'hi' });
      expect(calls).toEqual([[spark, '"hi"']]);
    });

    it('drops incoming data when a sync transform returns false', async () => {
      primus.transform('incoming', (packet: Packet) => packet.data !== 'drop me');
      const { client, spark } = await connect();
      const got = collect(spark, 'data', 2);
      client.write('drop me');
      client.write('one');
      client.write('two');
      expect(await got).toEqual(['one', 'two']);
    });

    it('changes and drops incoming data with an async (packet, next) transform', async () => {
      primus.transform('incoming', (packet: Packet, next: Next) => {
        setTimeout(() => {
          if (packet.data === 'drop me') return next(undefined, false);
          packet.data = String(packet.data).toUpperCase();
          next();
        }, 5);
      });
      const { client, spark } = await connect();
      const got = collect(spark, 'data', 2);
      client.write('drop me');
      client.write('loud');
      client.write('louder');
      expect(await got).toEqual(['LOUD', 'LOUDER']);
    });

    it('changes and drops outgoing data, sync and async, in registration order', async () => {
      primus.transform('outgoing', (packet: Packet) => {
        if (packet.data === 'secret') return false;
        packet.data = `${packet.data}:sync`;
        return undefined;
      });
      primus.transform('outgoing', (packet: Packet, next: Next) => {
        setTimeout(() => {
          packet.data = `${packet.data}:async`;
          next();
        }, 5);
      });
      const { client, spark } = await connect();
      const got = collect(client, 'data', 2);
      spark.write('secret');
      spark.write('a');
      primus.write('b');
      expect(await got).toEqual(['a:sync:async', 'b:sync:async']);
    });

    it('ignores the same function added twice', async () => {
      let calls = 0;
      const count = (_packet: Packet) => void calls++;
      primus.transform('incoming', count).transform('incoming', count);
      expect(primus.transformers.incoming).toEqual([count]);
      const { client, spark } = await connect();
      client.write('x');
      await nextData(spark);
      expect(calls).toBe(1);
    });

    it('rejects an unknown type with PrimusError "Invalid transformer type"', () => {
      expect(() => primus.transform('sideways' as never, () => undefined)).toThrow(PrimusError);
      expect(() => primus.transform('sideways' as never, () => undefined)).toThrow('Invalid transformer type');
    });

    it('reports async next(err) as spark `error` and `log`, keeping the connection', async () => {
      primus.transform('incoming', (packet: Packet, next: Next) => {
        if (packet.data === 'bad') next(new Error('cannot transform this'));
        else next();
      });
      const logged: unknown[] = [];
      primus.on('log', (level: string, err: unknown) => logged.push([level, err]));
      const { client, spark } = await connect();
      const error = once<Error & { code: string; cause: Error }>(spark, 'error');
      client.write('bad');
      const err = await error;
      expect(err.code).toBe('ALLSPARK_TRANSFORM');
      expect(err.message).toBe('Message transform failed: cannot transform this');
      expect(err.cause.message).toBe('cannot transform this');
      expect(logged).toEqual([['error', err]]);
      client.write('good');
      expect(await nextData(spark)).toBe('good');
    });

    it('never crashes when next(err) or a throw has no error listener (spec §7.10)', async () => {
      primus.transform('incoming', (packet: Packet, next: Next) => {
        if (packet.data === 'bad') next(new Error('no listener'));
        else next();
      });
      primus.transform('outgoing', (packet: Packet) => {
        if (packet.data === 'explode') throw new Error('sync throw');
      });
      const { client, spark } = await connect();
      expect(spark.listenerCount('error')).toBe(0);
      await noEscapes(async () => {
        client.write('bad');
        spark.write('explode');
        client.write('still here');
        expect(await nextData(spark)).toBe('still here');
        spark.write('me too');
        expect(await nextData(client)).toBe('me too');
      });
    });
  });

  describe('spark.end(data) with outgoing transforms (spec §7.9)', () => {
    it('delivers data through an async transform before the close', async () => {
      primus.transform('outgoing', (packet: Packet, next: Next) => {
        setTimeout(() => {
          packet.data = `${packet.data}!`;
          next();
        }, 20);
      });
      const { client, spark } = await connect();
      const events: unknown[] = [];
      client.on('data', (data: unknown) => events.push(['data', data]));
      client.on('reconnect scheduled', () => events.push('reconnect scheduled'));
      const ended = once(client, 'end');
      spark.end('goodbye');
      expect(spark.readyState).toBe(2);
      expect(spark.write('too late')).toBe(false);
      await ended;
      expect(events).toEqual([['data', 'goodbye!']]);
      expect(primus.connected).toBe(0);
    });

    it('also delivers earlier writes whose transforms finish while end() waits', async () => {
      primus.transform('outgoing', (_packet: Packet, next: Next) => void setTimeout(next, 10));
      const { client, spark } = await connect();
      const got = collect(client, 'data', 2);
      const ended = once(client, 'end');
      spark.write('first');
      spark.end('last');
      expect(await got).toEqual(['first', 'last']);
      await ended;
    });

    it('still closes when the async transform drops the last message or fails', async () => {
      primus.transform('outgoing', (packet: Packet, next: Next) => {
        setTimeout(() => (packet.data === 'drop' ? next(undefined, false) : next(new Error('nope'))), 5);
      });
      const first = await connect();
      const second = await connect();
      const got: unknown[] = [];
      first.client.on('data', (d: unknown) => got.push(d));
      second.client.on('data', (d: unknown) => got.push(d));
      const ends = Promise.all([once(first.client, 'end'), once(second.client, 'end'), once(first.spark, 'end'), once(second.spark, 'end')]);
      first.spark.end('drop');
      second.spark.end('fail');
      await ends;
      expect(got).toEqual([]);
      expect(primus.connected).toBe(0);
    });

    it('keeps the synchronous path: data, close message, end, all at once', async () => {
      primus.transform('outgoing', (packet: Packet) => void (packet.data = `${packet.data}?`));
      const { client, spark } = await connect();
      const data = nextData(client);
      const ended = once(client, 'end');
      let sparkEnded = false;
      spark.on('end', () => (sparkEnded = true));
      spark.end('bye');
      expect(sparkEnded).toBe(true);
      expect(await data).toBe('bye?');
      await ended;
    });

    it('ends with { reconnect: true } after the last message, and the client reconnects', async () => {
      primus.transform('outgoing', (_packet: Packet, next: Next) => void setTimeout(next, 5));
      const { client, spark } = await connect();
      const data = nextData(client);
      const scheduled = once(client, 'reconnect scheduled');
      spark.end('see you', { reconnect: true });
      expect(await data).toBe('see you');
      await scheduled;
    });
  });

  describe('client side', () => {
    it('client.transform changes and drops incoming data, sync and async', async () => {
      const { client, spark } = await connect();
      client.transform('incoming', (packet: Packet) => packet.data !== 'hidden');
      client.transform('incoming', function (this: Client, packet: Packet, next: Next) {
        expect(this).toBe(client);
        setTimeout(() => {
          packet.data = { got: packet.data };
          next();
        }, 5);
      });
      const got = collect(client, 'data', 2);
      spark.write('hidden');
      spark.write(1);
      spark.write(2);
      expect(await got).toEqual([{ got: 1 }, { got: 2 }]);
    });

    it('client.transform changes outgoing data', async () => {
      const { client, spark } = await connect();
      client.transform('outgoing', (packet: Packet) => void (packet.data = { v: packet.data }));
      client.transform('outgoing', (packet: Packet, next: Next) => void setTimeout(next, 5));
      client.write('x');
      expect(await nextData(spark)).toEqual({ v: 'x' });
    });

    it('client.transform rejects an unknown type', async () => {
      const { client } = await connect();
      expect(() => client.transform('sideways' as never, () => undefined)).toThrow('Invalid transformer type');
      const error = once<Error>(client, 'error');
      client.transform('sideways' as never, () => undefined);
      expect((await error).message).toBe('Invalid transformer type');
    });

    it('client async next(err) is an `error` only when listened, never a crash', async () => {
      const { client, spark } = await connect();
      client.transform('incoming', (packet: Packet, next: Next) => (packet.data === 'bad' ? next(new Error('client side')) : next()));
      await noEscapes(async () => {
        spark.write('bad');
        spark.write('fine');
        expect(await nextData(client)).toBe('fine');
      });
      const error = once<Error>(client, 'error');
      spark.write('bad');
      expect((await error).message).toBe('client side');
    });

    it('a Primus plugin whose client half adds transforms reaches primus.Socket clients', async () => {
      const clientCalls: unknown[] = [];
      primus.plugin('shout', {
        server(p: Primus) {
          p.transform('outgoing', (packet: Packet) => void (packet.data = String(packet.data).toUpperCase()));
        },
        client(this: Client, instance: Client) {
          clientCalls.push(this === instance);
          instance.transform('incoming', (packet: Packet) => void (packet.data = `${packet.data}!`));
          instance.transform('outgoing', (packet: Packet) => void (packet.data = `${packet.data}?`));
        },
      });
      const { client, spark } = await connect();
      expect(clientCalls).toEqual([true]);
      spark.write('hello');
      expect(await nextData(client)).toBe('HELLO!');
      client.write('why');
      expect(await nextData(spark)).toBe('why?');
    });
  });
});
