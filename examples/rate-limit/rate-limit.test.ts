import { createKernel, clientFor, websockets, jsonParserPlugin, reconnect, type Spark } from '../../index';
import { rateLimit } from './index';

describe('example third-party plugin: rate-limit', () => {
  test('drops messages over the limit and tells the spark', async () => {
    const kernel = createKernel().use(websockets).use(jsonParserPlugin).use(reconnect).use(rateLimit, { max: 3, windowMs: 60_000 });
    const received: unknown[] = [];
    let limited: unknown;
    kernel.on('connection', (spark: Spark) => {
      spark.on('data', (d: unknown) => received.push(d));
      spark.on('ratelimit', (info: unknown) => (limited = info));
    });
    const server = await kernel.listen(0);
    const client = new (clientFor(kernel))(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
    for (let i = 1; i <= 5; i++) client.write(i);
    client.write('done?');
    while (limited === undefined) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
    expect(received).toEqual([1, 2, 3]);
    expect(limited).toEqual({ max: 3, windowMs: 60000 });
    client.destroy();
    await kernel.close();
  });

  test('its options are validated like any built-in plugin', () => {
    expect(() => createKernel().use(rateLimit, { max: 0 })).toThrow(/plugin "rate-limit": max: /);
  });
});
