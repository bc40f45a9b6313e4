/**
 * The facade's `rooms` and `events` options: `new Primus(server, { rooms:
 * true, events: { map } })` turns on the first-party plugins, typed and
 * checked by the plugins' own schemas; primus-rooms' `{ adapter, wildcard }`
 * load nothing.
 */
import { z } from 'zod';
import { Primus, roomsOf, defineEvents, type PrimusOptions, type Spark, type Client } from '../index';
import { once, urlOf } from './helpers/net';
import { useFacades } from './helpers/facade';
import { thrown } from './helpers/errors';

const app = defineEvents({
  join: z.string(),
  sum: { payload: z.object({ a: z.number(), b: z.number() }), reply: z.number() },
});

const clients: Client[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});
const facades = useFacades();
const { primus } = facades;

const pluginNames = (p: Primus): string[] => p.kernel.plugins().map((x) => x.definition.name);

describe('facade options rooms and events', () => {
  test('rooms: true and events: { map }: typed requests and room writes through primus.Socket', async () => {
    const p = primus({ rooms: true, events: { map: app, ackTimeout: 2000 } });
    expect(pluginNames(p).slice(-3)).toEqual(['rooms', 'events', 'primus']);
    expect(p.kernel.plugins().find((x) => x.definition.name === 'events')!.options).toEqual({ map: app, ackTimeout: 2000, maxPendingAcks: 1024 });
    p.on('connection', (spark: Spark) => {
      const s = app.spark(spark);
      s.on('join', (room) => void spark.join(room));
      s.on('sum', ({ a, b }) => a + b);
    });
    const client = new p.Socket(urlOf(facades.http)) as Client;
    clients.push(client);
    const typed = app.client(client);
    await once(client, 'open');
    expect(await typed.ask('sum', { a: 2, b: 5 })).toBe(7);
    typed.emit('join', 'news');
    const got = once(client, 'data');
    // `join` was sent before `sum` is asked again: once it answers, the spark is in the room.
    await typed.ask('sum', { a: 0, b: 0 });
    roomsOf(p).room('news').write('extra');
    expect(await got).toBe('extra');
    expect(p.library()).toContain('"ALLSPARK_ACK_TIMEOUT"');
  });

  test("rooms' and events' own options; false, absent and primus-rooms' options load nothing", () => {
    const p = primus({ rooms: { maxRoomsPerSpark: 2, queryTimeout: 500 }, events: true });
    expect(p.kernel.plugins().find((x) => x.definition.name === 'rooms')!.options).toEqual({
      maxRoomsPerSpark: 2, maxRoomName: 256, channelPrefix: 'room:', queryTimeout: 500, maxPendingQueries: 1024,
    });
    expect(pluginNames(p)).toContain('events');
    for (const options of [{}, { rooms: false, events: false }, { rooms: { wildcard: false } }, { rooms: { adapter: {} } }] as PrimusOptions[]) {
      const names = pluginNames(primus(options));
      expect([names.includes('rooms'), names.includes('events')]).toEqual([false, false]);
    }
  });

  test('an unknown or mistyped option is refused with the plugin and the path named', () => {
    // @ts-expect-error: not an option of the rooms plugin
    const unknownRooms = thrown(() => primus({ rooms: { maxRoom: 3 } }));
    expect([unknownRooms.code, unknownRooms.message]).toEqual([
      'ALLSPARK_PLUGIN_OPTIONS',
      'Invalid options for Primus (plugin "rooms"): rooms.maxRoom: unknown option',
    ]);
    // @ts-expect-error: not an option of the events plugin
    const unknownEvents = thrown(() => primus({ events: { ackTimeot: 5 } }));
    expect(unknownEvents.message).toBe('Invalid options for Primus (plugin "events"): events.ackTimeot: unknown option');
    // @ts-expect-error: ackTimeout is a number
    const mistyped = thrown(() => primus({ events: { ackTimeout: 'soon' } }));
    expect(mistyped.message).toBe('Invalid options for Primus (plugin "events"): events.ackTimeout: Expected number, received string');
    const notAMap = thrown(() => primus({ events: { map: { chat: z.string() } as never } }));
    expect(notAMap.message).toMatch(/^Invalid options for Primus \(plugin "events"\): events\.map: /);
    expect(facades.made.length).toBe(0);
  });

  test('Primus.createSocket({ events: { map } }) gives the client class the events half', async () => {
    const p = primus({ events: { map: app } });
    p.on('connection', (spark: Spark) => void app.spark(spark).on('sum', ({ a, b }) => a * b));
    const Socket = Primus.createSocket({ events: { map: app } });
    const client = new Socket(urlOf(facades.http)) as Client;
    clients.push(client);
    await once(client, 'open');
    expect(await app.client(client).ask('sum', { a: 3, b: 4 })).toBe(12);
  });
});
