import { startTestKernel, nextEvent, type TestKernel } from 'allspark/testing';
import { typingIndicator } from '../src';

describe('typing-indicator: Node clients', () => {
  let t: TestKernel;
  afterEach(() => t?.close());

  test('typing news reach the other clients and the spark; idle clients stop by themselves', async () => {
    t = await startTestKernel({ use: (kernel) => kernel.use(typingIndicator, { idleMs: 100 }) });
    const ann = t.client();
    const annSpark = await t.nextConnection();
    await nextEvent(ann, 'typing:ready');
    const bob = t.client();
    await nextEvent(bob, 'typing:ready');
    const sparkSaw = nextEvent(annSpark, 'typing');
    const bobSaw = nextEvent(bob, 'typing');
    ann.typing();
    expect(await sparkSaw).toEqual([true]);
    expect(await bobSaw).toEqual([annSpark.id, true]);
    // No more keystrokes: after idleMs Ann's client says she stopped.
    expect(await nextEvent(bob, 'typing')).toEqual([annSpark.id, false]);
  });

  test('a late joiner hears who is typing already', async () => {
    t = await startTestKernel({ use: (kernel) => kernel.use(typingIndicator) });
    const ann = t.client();
    const annSpark = await t.nextConnection();
    await nextEvent(ann, 'typing:ready');
    const typing = nextEvent(annSpark, 'typing');
    ann.typing();
    await typing;
    const bob = t.client();
    expect(await nextEvent(bob, 'typing')).toEqual([annSpark.id, true]);
  });

  test('a plain Primus 8 client never sees the plugin’s messages', async () => {
    t = await startTestKernel({ use: (kernel) => kernel.use(typingIndicator) });
    const plain = t.primusClient();
    await nextEvent(plain, 'open');
    const ann = t.client();
    await nextEvent(ann, 'typing:ready');
    const seen: unknown[] = [];
    plain.on('data', (data: unknown) => seen.push(data));
    ann.typing(true);
    ann.typing(false);
    // The broadcast below proves the Primus client is connected and would have received anything sent.
    t.kernel.write('broadcast');
    expect((await nextEvent(plain, 'data'))[0]).toBe('broadcast');
    expect(seen).toEqual(['broadcast']);
  });

  test('bad options are refused with the plugin’s name', () => {
    return expect(startTestKernel({ use: (kernel) => kernel.use(typingIndicator, { idleMs: -1 }) })).rejects.toMatchObject({
      code: 'ALLSPARK_PLUGIN_OPTIONS',
      message: 'Invalid options for plugin "typing-indicator": idleMs: Too small: expected number to be >0',
    });
  });
});
