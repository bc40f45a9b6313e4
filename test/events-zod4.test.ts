/**
 * Typed events declared with zod 4 (classic and mini) next to zod 3: the
 * installed zod 3.25 ships all three APIs, so one file proves each. Types
 * are checked by tsc (`npm run typecheck`: a wrong payload that compiled
 * would leave an `@ts-expect-error` unused, itself an error), values by jest
 * against a real server and client.
 */
import { z as z3 } from 'zod/v3';
import { z as z4 } from 'zod/v4';
import * as zm from 'zod/v4-mini';
import { events, defineEvents, AllsparkError, type Spark, type Client, type PayloadIn, type PayloadOut, type ReplyOf } from '../index';
import { startKernel, stopAll } from './helpers/kernel';
import { once } from './helpers/net';
import { thrown } from './helpers/errors';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | void {}

const app = defineEvents({
  chat: z4.object({ text: z4.string().max(20), room: z4.string().default('lobby') }),
  sum: { payload: z4.object({ a: z4.number(), b: z4.number() }), reply: z4.number() },
  tag: zm.object({ name: zm.string() }),
  old: z3.object({ n: z3.number().int() }),
  label: { payload: z3.string(), reply: z4.string() },
});
type Schemas = typeof app.schemas;

/** Compiled, never run: the calls only have to type-check (or fail to). */
function serverSide(spark: Spark): void {
  const s = app.spark(spark);
  s.emit('chat', { text: 'hi' });
  // @ts-expect-error: wrong payload type (zod 4)
  s.emit('chat', { text: 1 });
  // @ts-expect-error: missing required field (zod 4)
  s.emit('chat', {});
  // @ts-expect-error: wrong payload type (zod 4 mini)
  s.emit('tag', { name: 2 });
  // @ts-expect-error: wrong payload type (zod 3 beside zod 4)
  s.emit('old', { n: '1' });
  s.on('chat', (payload) => {
    assertType<Equal<typeof payload, { text: string; room: string }>>();
  });
  s.on('sum', ({ a, b }) => a + b);
  // @ts-expect-error: the reply must be a number (zod 4 reply schema)
  s.on('sum', () => 'five');
  s.on('label', (text) => text.toUpperCase());
  void s.ask('sum', { a: 1, b: 2 }).then((n) => assertType<Equal<typeof n, number>>());
  // @ts-expect-error: wrong request payload (zod 4)
  void s.ask('sum', { a: '1', b: 2 });
}

function clientSide(client: Client): void {
  const c = app.client(client);
  c.emit('tag', { name: 'x' });
  // @ts-expect-error: wrong payload type on the client (zod 4)
  c.emit('chat', { text: false });
  c.on('chat', (payload) => {
    // What the server sent: the schema's input (room optional).
    assertType<Equal<typeof payload, { text: string; room?: string | undefined }>>();
  });
  void c.ask('label', 'x').then((s) => assertType<Equal<typeof s, string>>());
}

type Env = Awaited<ReturnType<typeof startKernel>>;
let env: Env | undefined;
afterEach(async () => {
  await stopAll(env);
  env = undefined;
});

type Loose = { on(event: string, listener: (...args: any[]) => unknown): unknown; emit(event: string, ...args: unknown[]): boolean };
type Coded = AllsparkError & { event?: string; path?: string; issues?: Array<{ path: string; message: string }> };

async function pair(): Promise<{ client: Client & Loose; spark: Spark & Loose }> {
  env = await startKernel((k) => void k.use(events, { map: app }));
  const spark = once<Spark>(env.kernel, 'connection');
  const client = env.client();
  const s = await spark;
  await once(client, 'open');
  return { client: client as Client & Loose, spark: s as Spark & Loose };
}

describe('typed events with zod 4 schemas', () => {
  test('payload and reply types are inferred from zod 4 (classic and mini) and zod 3 alike', () => {
    assertType<Equal<PayloadIn<Schemas['chat']>, { text: string; room?: string | undefined }>>();
    assertType<Equal<PayloadOut<Schemas['chat']>, { text: string; room: string }>>();
    assertType<Equal<PayloadIn<Schemas['tag']>, { name: string }>>();
    assertType<Equal<PayloadOut<Schemas['old']>, { n: number }>>();
    assertType<Equal<ReplyOf<Schemas['sum']>, number>>();
    assertType<Equal<ReplyOf<Schemas['label']>, string>>();
    assertType<Equal<ReplyOf<Schemas['chat']>, unknown>>();
    expect(app.names).toEqual(['chat', 'sum', 'tag', 'old', 'label']);
    expect([typeof serverSide, typeof clientSide]).toEqual(['function', 'function']);
  });

  test('the server validates with the zod 4 schema: parsed output to handlers, path and message to the sender', async () => {
    const { client, spark } = await pair();
    const got = once(spark, 'chat');
    client.emit('chat', { text: 'hello' });
    expect(await got).toEqual({ text: 'hello', room: 'lobby' });

    const error = once<Coded>(client, 'error');
    client.emit('chat', { text: 'x'.repeat(21) });
    const err = await error;
    expect([err.code, err.event, err.path]).toEqual(['ALLSPARK_EVENT_INVALID', 'chat', 'text']);
    expect(err.message).toBe('Invalid payload for event "chat" at text: Too big: expected string to have <=20 characters');

    const mini = once<Coded>(client, 'error');
    client.emit('tag', { name: 3 });
    expect((await mini).message).toBe('Invalid payload for event "tag" at name: Invalid input: expected string, received number');
    const old = once<Coded>(client, 'error');
    client.emit('old', { n: 1.5 });
    expect((await old).message).toBe('Invalid payload for event "old" at n: Expected integer, received float');
    expect(env!.kernel.connected).toBe(1);
  });

  test('requests: zod 4 payload and reply schemas', async () => {
    const { client, spark } = await pair();
    spark.on('sum', ({ a, b }: { a: number; b: number }) => a + b);
    const typed = app.client(client);
    expect(await typed.ask('sum', { a: 2, b: 3 })).toBe(5);
    const bad = await typed.ask('sum', { a: 2 } as never).catch((e: Coded) => e);
    expect([(bad as Coded).code, (bad as Coded).path]).toEqual(['ALLSPARK_EVENT_INVALID', 'b']);
    // The server checks a client's reply against the zod 4 reply schema.
    client.on('label', (text: string) => (text === 'bad' ? 42 : text + '!'));
    const s = app.spark(spark);
    expect(await s.ask('label', 'ok')).toBe('ok!');
    const refused = thrownAsync(s.ask('label', 'bad'));
    expect(await refused).toEqual(['ALLSPARK_EVENT_INVALID', 'Invalid reply for event "label" at (root): Invalid input: expected string, received number']);
  });

  test('a value that is not a schema of either version is refused when the map is declared', () => {
    const err = thrown(() => defineEvents({ chat: { payload: { parse: () => 1 } } as never }));
    expect([err.code, err.message]).toEqual(['ALLSPARK_EVENT_INVALID', 'Event "chat" needs a zod schema, or { payload, reply } schemas']);
    expect(thrown(() => defineEvents({ sum: { payload: z4.number(), reply: 'number' } as never })).code).toBe('ALLSPARK_EVENT_INVALID');
  });
});

async function thrownAsync(p: Promise<unknown>): Promise<[string, string]> {
  try {
    await p;
  } catch (err) {
    return [(err as Coded).code, (err as Coded).message];
  }
  throw new Error('expected a rejection');
}
