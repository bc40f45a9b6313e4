/**
 * Type-level tests of typed events: `npm test` type-checks this file with
 * tsc, so a wrong payload or event name that compiled would fail the
 * build (`@ts-expect-error` with nothing to expect is itself an error).
 */
import { z } from 'zod/v3';
import { defineEvents, type Spark, type Client, type PayloadIn, type PayloadOut, type ReplyOf } from '../index';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | void {}

const app = defineEvents({
  chat: z.object({ text: z.string().max(500), room: z.string().default('lobby') }),
  sum: { payload: z.object({ a: z.number(), b: z.number() }), reply: z.number() },
  ping: z.undefined(),
});
type Schemas = typeof app.schemas;

/** Compiled, never run: the calls only have to type-check (or fail to). */
function serverSide(spark: Spark): void {
  const s = app.spark(spark);
  s.emit('chat', { text: 'hi' });
  s.emit('chat', { text: 'hi', room: 'news' });
  // @ts-expect-error: wrong payload type
  s.emit('chat', { text: 1 });
  // @ts-expect-error: missing required field
  s.emit('chat', {});
  // @ts-expect-error: unknown event name
  s.emit('chta', { text: 'hi' });
  s.on('chat', (payload) => {
    // Handlers on the server get the validated output: defaults filled in.
    assertType<Equal<typeof payload, { text: string; room: string }>>();
  });
  s.on('sum', ({ a, b }) => a + b);
  // @ts-expect-error: the reply must be a number
  s.on('sum', () => 'five');
  s.on('sum', async ({ a, b }) => a * b);
  s.on('sum', (_p, reply) => reply(null, 3));
  // @ts-expect-error: unknown event name for a handler
  s.on('summ', () => 1);
  s.on('data', (data: unknown) => data);
  s.on('end', () => undefined);
  void s.ask('sum', { a: 1, b: 2 }).then((n) => assertType<Equal<typeof n, number>>());
  // @ts-expect-error: wrong request payload
  void s.ask('sum', { a: '1', b: 2 });
  s.emit('sum', { a: 1, b: 2 }, (err, reply) => {
    assertType<Equal<typeof reply, number | undefined>>();
    assertType<Equal<typeof err, Error | null>>();
  });
  s.join('room');
}

function clientSide(client: Client): void {
  const c = app.client(client);
  c.emit('chat', { text: 'hi' });
  // @ts-expect-error: wrong payload type on the client too
  c.emit('chat', { text: false });
  // @ts-expect-error: unknown event name on the client too
  c.emit('chat!', { text: 'hi' });
  c.on('chat', (payload) => {
    // What the server emitted: the schema's input (room optional).
    assertType<Equal<typeof payload, { text: string; room?: string | undefined }>>();
  });
  void c.ask('sum', { a: 1, b: 2 }).then((n) => assertType<Equal<typeof n, number>>());
  c.write('plain data still works');
}

describe('typed events (types)', () => {
  test('payload and reply types are inferred from the schemas', () => {
    assertType<Equal<PayloadIn<Schemas['chat']>, { text: string; room?: string | undefined }>>();
    assertType<Equal<PayloadOut<Schemas['chat']>, { text: string; room: string }>>();
    assertType<Equal<ReplyOf<Schemas['sum']>, number>>();
    assertType<Equal<ReplyOf<Schemas['chat']>, unknown>>();
    expect(app.names).toEqual(['chat', 'sum', 'ping']);
    expect([typeof serverSide, typeof clientSide]).toEqual(['function', 'function']);
  });
});
