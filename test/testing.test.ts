/** `allspark/testing` itself: what plugin authors rely on must hold here first. */
import { definePlugin, type Spark } from 'allspark';
import { startTestKernel, nextEvent, nextMessage, collectEvents, type TestKernel } from 'allspark/testing';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | void {}

const shout = definePlugin({
  name: 'shout',
  server(ctx) {
    ctx.hook('onMessage', (_spark, packet) => {
      if (typeof packet.data === 'string') packet.data = packet.data.toUpperCase();
    });
  },
});

describe('allspark/testing', () => {
  let t: TestKernel | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  test('a kernel with the plugin under test, our client and a Primus 8 client, in a few lines', async () => {
    t = await startTestKernel({ plugins: [shout] });
    expect(t.url).toBe(`http://127.0.0.1:${t.port}`);
    const ours = t.client();
    const spark = await t.nextConnection();
    assertType<Equal<typeof spark, Spark>>();
    spark.on('data', (data) => spark.write(data));
    ours.write('hi');
    expect(await nextMessage(ours)).toBe('HI');

    const theirs = t.primusClient();
    const [other] = await nextEvent(t.kernel, 'connection');
    other.on('data', (data) => other.write(data));
    theirs.write('hey');
    expect(await nextMessage(theirs)).toBe('HEY');
  });

  test('waits are typed and time out with a clear error, leaving no listener behind', async () => {
    t = await startTestKernel();
    const client = t.client({ manual: true });
    const opened = nextEvent(client, 'readyStateChange', 3000);
    client.open();
    const [state] = await opened;
    assertType<Equal<typeof state, string>>();
    expect(state).toBe('opening');
    await expect(nextEvent(client, 'offline', 50)).rejects.toThrow('timed out after 50 ms waiting for "offline"');
    expect(client.listenerCount('offline')).toBe(0);
    await expect(collectEvents(client, 'data', 2, 50)).rejects.toThrow('timed out after 50 ms: 0 of 2 "data" events');
    expect(client.listenerCount('data')).toBe(0);
  });

  test('collectEvents gathers several in order; close() ends clients and the server', async () => {
    t = await startTestKernel();
    const client = t.client();
    const spark = await t.nextConnection();
    const three = collectEvents(client, 'data', 3);
    for (const n of [1, 2, 3]) spark.write(n);
    expect((await three).map(([data]) => data)).toEqual([1, 2, 3]);
    await t.close();
    expect([t.server.listening, client.readyState, t.kernel.connected]).toEqual([false, 2, 0]);
    t = undefined;
  });
});
