import { createKernel, definePlugin, Slots, BROADCAST_CHANNEL, type Broker, type BrokerHandler, type BrokerPayload, type Kernel } from '../index';
import { websockets } from '../transformers/websockets';
import { jsonParserPlugin } from '../plugins/json-parser';
import { until, urlOf } from './helpers/net';
import { clientFor } from '../core/client-config';
import type { Client } from '../core/client';

/**
 * The kernel's side of the broker slot, with the smallest real broker: an
 * in-process bus shared by kernels of one process (what a Redis broker does
 * between processes). No Redis needed.
 */
class Bus {
  readonly nodes = new Map<string, Map<string, Set<BrokerHandler>>>();
  readonly published: Array<[string, string, BrokerPayload]> = [];

  broker(nodeId: string): Broker {
    const channels = new Map<string, Set<BrokerHandler>>();
    this.nodes.set(nodeId, channels);
    return {
      nodeId,
      publish: (channel, payload) => {
        this.published.push([nodeId, channel, payload]);
        for (const [other, subscribed] of this.nodes) {
          if (other !== nodeId) for (const handler of subscribed.get(channel) ?? []) handler(payload, channel, nodeId);
        }
        return true;
      },
      subscribe: (channel, handler) => {
        const set = channels.get(channel) ?? new Set();
        channels.set(channel, set);
        set.add(handler);
        return () => set.delete(handler);
      },
    };
  }
}

describe('kernel broadcasts through the broker slot', () => {
  const kernels: Kernel[] = [];
  const clients: Client[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await Promise.all(kernels.splice(0).map((k) => k.close()));
  });

  async function node(bus: Bus, id: string, setup: (k: Kernel) => void = () => undefined): Promise<{ kernel: Kernel; received: unknown[][]; prepared: () => number }> {
    const kernel = createKernel().use(websockets).use(jsonParserPlugin);
    kernel.use(definePlugin({ name: 'bus', server: (ctx) => ctx.provide(Slots.broker, bus.broker(id)) }));
    setup(kernel);
    kernels.push(kernel);
    const url = urlOf(await kernel.listen(0));
    let prepared = 0;
    const prepare = kernel.transformer.prepareBroadcast!.bind(kernel.transformer);
    kernel.transformer.prepareBroadcast = (frame) => (prepared++, prepare(frame));
    const Socket = clientFor(kernel);
    const received: unknown[][] = [];
    for (let i = 0; i < 3; i++) {
      const c = new Socket(url);
      clients.push(c);
      const got: unknown[] = [];
      received.push(got);
      c.on('data', (d: unknown) => got.push(d));
      await new Promise<void>((r) => c.on('open', () => r()));
    }
    await until(() => kernel.connected === 3);
    return { kernel, received, prepared: () => prepared };
  }

  it('publishes the encoded frame once and the other node prepares it once for all its sparks', async () => {
    const bus = new Bus();
    const a = await node(bus, 'a');
    const b = await node(bus, 'b');
    expect(a.kernel.broker?.nodeId).toBe('a');
    expect(a.kernel.write({ x: 1 })).toBe(true);
    await until(() => [...a.received, ...b.received].every((got) => got.length === 1));
    expect([...a.received, ...b.received]).toEqual(Array(6).fill([{ x: 1 }]));
    // The parser's frame travels, not the websockets transformer's byte copy of it.
    expect(bus.published).toEqual([['a', BROADCAST_CHANNEL, '{"x":1}']]);
    expect(a.prepared()).toBe(1);
    expect(b.prepared()).toBe(1);
  });

  it('with outgoing transforms the receiving node decodes once and transforms per spark', async () => {
    const bus = new Bus();
    const a = await node(bus, 'a');
    const b = await node(bus, 'b', (k) =>
      k.use(definePlugin({ name: 'tag', server: (ctx) => void ctx.hook('onSend', (_spark, packet) => void (packet.data = { tagged: packet.data })) })),
    );
    a.kernel.write('hi');
    await until(() => b.received.every((got) => got.length === 1));
    expect(b.received).toEqual(Array(3).fill([{ tagged: 'hi' }]));
    expect(a.received).toEqual(Array(3).fill(['hi']));
  });

  it('stops receiving when the broker plugin is removed', async () => {
    const bus = new Bus();
    const a = await node(bus, 'a');
    const b = await node(bus, 'b');
    b.kernel.plugout('bus');
    expect(b.kernel.broker).toBe(null);
    a.kernel.write('after');
    await until(() => a.received.every((got) => got.length === 1));
    await new Promise((r) => setTimeout(r, 50));
    expect(b.received).toEqual([[], [], []]);
  });
});
