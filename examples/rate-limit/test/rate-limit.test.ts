import { startTestKernel, nextEvent, type TestKernel } from 'allspark/testing';
import { rateLimit } from '../src';

describe('example third-party plugin: rate-limit', () => {
  let t: TestKernel;
  afterEach(() => t?.close());

  test('drops messages over the limit and tells the spark', async () => {
    t = await startTestKernel({ use: (kernel) => kernel.use(rateLimit, { max: 3, windowMs: 60_000 }) });
    const client = t.client();
    const spark = await t.nextConnection();
    const received: unknown[] = [];
    spark.on('data', (data) => received.push(data));
    const limited = nextEvent(spark, 'ratelimit');
    for (let i = 1; i <= 5; i++) client.write(i);
    client.write('done?');
    expect(await limited).toEqual([{ max: 3, windowMs: 60000 }]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received).toEqual([1, 2, 3]);
  });

  test('its options are validated like any built-in plugin', () => {
    return expect(startTestKernel({ use: (kernel) => kernel.use(rateLimit, { max: 0 }) })).rejects.toMatchObject({
      code: 'ALLSPARK_PLUGIN_OPTIONS',
    });
  });
});
