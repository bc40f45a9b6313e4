/**
 * Primus's first promise: switching transports is a one-option change. The
 * chat app below takes the transformer name and nothing else differs; it
 * must produce the same transcript on all four.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Primus } from '../../index';
import { TRANSFORMERS } from './capabilities';

interface ChatLine {
  type: 'joined' | 'said' | 'left';
  name: string;
  text?: string;
}

/** A small chat room: the server half and a `join` for users. Plain application code. */
async function chatApp(transformer: string) {
  const server = createServer();
  const primus = new Primus(server, { transformer, pingInterval: 200 });
  const names = new Map<string, string>();
  primus.on('connection', (spark: any) => {
    spark.on('data', (msg: { name?: string; text?: string }) => {
      if (msg.name !== undefined) {
        names.set(spark.id, msg.name);
        primus.write({ type: 'joined', name: msg.name });
      } else {
        primus.write({ type: 'said', name: names.get(spark.id), text: msg.text });
      }
    });
  });
  primus.on('disconnection', (spark: any) => primus.write({ type: 'left', name: names.get(spark.id) }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const Socket = Primus.createSocket({ transformer });

  function join(name: string) {
    const socket = new Socket(url);
    const heard: ChatLine[] = [];
    socket.on('data', (line) => heard.push(line as ChatLine));
    socket.write({ name });
    const until = (n: number) =>
      new Promise<ChatLine[]>((resolve) => {
        const check = () => {
          if (heard.length < n) return;
          socket.removeListener('data', check);
          resolve(heard.slice(0, n));
        };
        socket.on('data', check);
        check();
      });
    return { socket, heard, until, say: (text: string) => socket.write({ text }), leave: () => socket.end() };
  }

  const close = () => new Promise<void>((resolve) => primus.destroy(() => resolve()));
  return { join, close };
}

describe.each(TRANSFORMERS)('the same chat app on %s', (transformer) => {
  it('produces the same transcript', async () => {
    const app = await chatApp(transformer);
    const alice = app.join('alice');
    await alice.until(1);
    const bob = app.join('bob');
    await alice.until(2);
    alice.say('hi bob');
    await bob.until(2);
    bob.say('hello alice ✓');
    await bob.until(3);
    bob.leave();
    const transcript = await alice.until(5);
    expect(transcript).toEqual([
      { type: 'joined', name: 'alice' },
      { type: 'joined', name: 'bob' },
      { type: 'said', name: 'alice', text: 'hi bob' },
      { type: 'said', name: 'bob', text: 'hello alice ✓' },
      { type: 'left', name: 'bob' },
    ]);
    expect(bob.heard).toEqual(transcript.slice(1, 4));
    alice.socket.destroy();
    await app.close();
  });
});
